// libu/unlearn/selection.cpp — which validated state a run keeps (selection.h).
#include "libu/unlearn/selection.h"

#include <cmath>

#include "libu/core/error.h"

namespace libu::unlearn {

using nlohmann::json;

BestRule parse_best_rule(const std::string& s) {
  if (s == "final") return BestRule::Final;
  if (s == "retain-bounded") return BestRule::RetainBounded;
  if (s == "lowest-forget") return BestRule::LowestForget;
  if (s == "calibrated") return BestRule::Calibrated;
  fail(cat("unknown best-checkpoint rule '", s, "'"), "use final, retain-bounded, lowest-forget or calibrated");
}

const char* best_rule_name(BestRule r) {
  switch (r) {
    case BestRule::Final: return "final";
    case BestRule::RetainBounded: return "retain-bounded";
    case BestRule::LowestForget: return "lowest-forget";
    case BestRule::Calibrated: return "calibrated";
  }
  return "?";
}

namespace {
double num(const json& j, const char* k) { return j.contains(k) && j[k].is_number() ? j[k].get<double>() : NAN; }
}  // namespace

std::pair<double, double> selection_key(BestRule rule, const json& line, double base_retain, double retain_tolerance,
                                        double utility_tolerance) {
  const double no = -std::numeric_limits<double>::infinity();
  double f = num(line, "val_forget_nll"), r = num(line, "val_retain_nll"), u = num(line, "utility_rise");
  if (std::isnan(f)) return {no, 0};
  if (rule == BestRule::LowestForget) return {-f, 0};
  bool ok = (std::isnan(r) || std::isnan(base_retain) || r - base_retain <= retain_tolerance) &&
            (std::isnan(u) || u <= utility_tolerance);
  if (!ok) return {no, 0};
  if (rule == BestRule::Calibrated) {
    double mia = num(line, "mia_score");
    return {std::isnan(mia) ? no : mia, f};
  }
  return {f, 0};
}

}  // namespace libu::unlearn
