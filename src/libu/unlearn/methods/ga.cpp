// Baseline `ga`: single phase, objective `ga`, AdamW by default (docs/unlearning.md).
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {
std::unique_ptr<Method> make_ga() { return std::make_unique<ObjectiveMethod>("ga", Objective::GA); }
}  // namespace libu::unlearn
