// Baseline `npo` (BRIEF §2.4): single phase, objective `npo` of BRIEF §2.3, AdamW by default.
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {
std::unique_ptr<Method> make_npo() { return std::make_unique<ObjectiveMethod>("npo", Objective::NPO); }
}  // namespace libu::unlearn
