// Baseline `kl` (BRIEF §2.4): single phase, objective `kl` of BRIEF §2.3, AdamW by default.
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {
std::unique_ptr<Method> make_kl() { return std::make_unique<ObjectiveMethod>("kl", Objective::KL); }
}  // namespace libu::unlearn
