// Baseline `npo`: single phase, objective `npo`, AdamW by default (docs/unlearning.md).
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {
std::unique_ptr<Method> make_npo() { return std::make_unique<ObjectiveMethod>("npo", Objective::NPO); }
}  // namespace libu::unlearn
