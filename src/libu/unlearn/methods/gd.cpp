// Baseline `gd`: single phase, objective `gd`, AdamW by default (docs/unlearning.md).
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {
std::unique_ptr<Method> make_gd() { return std::make_unique<ObjectiveMethod>("gd", Objective::GD); }
}  // namespace libu::unlearn
