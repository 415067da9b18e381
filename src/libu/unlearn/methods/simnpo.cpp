// Baseline `simnpo` (BRIEF §2.4): single phase, objective `simnpo` of BRIEF §2.3, AdamW by default.
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {
std::unique_ptr<Method> make_simnpo() { return std::make_unique<ObjectiveMethod>("simnpo", Objective::SimNPO); }
}  // namespace libu::unlearn
