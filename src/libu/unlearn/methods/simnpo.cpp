// Baseline `simnpo`: single phase, objective `simnpo`, AdamW by default (docs/unlearning.md).
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {
std::unique_ptr<Method> make_simnpo() { return std::make_unique<ObjectiveMethod>("simnpo", Objective::SimNPO); }
}  // namespace libu::unlearn
