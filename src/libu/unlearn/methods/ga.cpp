// Baseline `ga` (BRIEF §2.4): single phase, objective `ga` of BRIEF §2.3, AdamW by default.
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {
std::unique_ptr<Method> make_ga() { return std::make_unique<ObjectiveMethod>("ga", Objective::GA); }
}  // namespace libu::unlearn
