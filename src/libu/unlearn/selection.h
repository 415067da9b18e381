// libu/unlearn/selection.h — which validated state a run keeps (docs/unlearning.md "Best
// state"): the rules, and the key that orders validation lines under a rule (also --auto's).
#pragma once
#include <limits>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace libu::unlearn {

enum class BestRule {
  Final,           // keep the last state
  RetainBounded,   // max forget-NLL increase among states whose retain-NLL rose ≤ tolerance
  LowestForget,    // the published libu-seed rule: lowest forget loss
  Calibrated,      // max MIA score (validation forget vs holdout) among retain-bounded states;
                   // ties: larger forget-NLL rise
};
BestRule parse_best_rule(const std::string& s);  // final|retain-bounded|lowest-forget|calibrated
const char* best_rule_name(BestRule r);

// Orders validation lines under `rule`: (primary, tie-break), higher is better, primary −inf
// when the state is not eligible (retain NLL rose more than the tolerance over base_retain,
// the retain NLL before unlearning). Used by best-state selection and by --auto.
//   calibrated: (MIA score, forget NLL); retain-bounded and final: (forget NLL, 0);
//   lowest-forget: (−forget NLL, 0).
// A line whose "utility_rise" (never-seen NLL rise, nats) exceeds `utility_tolerance` is not
// eligible either (every rule but lowest-forget).
std::pair<double, double> selection_key(BestRule rule, const nlohmann::json& line, double base_retain,
                                        double retain_tolerance,
                                        double utility_tolerance = std::numeric_limits<double>::infinity());

}  // namespace libu::unlearn
