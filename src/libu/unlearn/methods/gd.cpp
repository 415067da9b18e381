// Baseline `gd` (BRIEF §2.4): single phase, objective `gd` of BRIEF §2.3, AdamW by default.
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {
std::unique_ptr<Method> make_gd() { return std::make_unique<ObjectiveMethod>("gd", Objective::GD); }
}  // namespace libu::unlearn
