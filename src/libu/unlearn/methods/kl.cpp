// Baseline `kl`: single phase, objective `kl`, AdamW by default (docs/unlearning.md).
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {
std::unique_ptr<Method> make_kl() { return std::make_unique<ObjectiveMethod>("kl", Objective::KL); }
}  // namespace libu::unlearn
