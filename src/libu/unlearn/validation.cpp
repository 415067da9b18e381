// libu/unlearn/validation.cpp — see validation.h.
#include "libu/unlearn/validation.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "libu/core/fs.h"
#include "libu/core/log.h"
#include "libu/dist/dist.h"
#include "libu/unlearn/selection.h"

namespace libu::unlearn {

using nlohmann::json;

Validator::Validator(model::CausalLM& m, const TrainerOptions& opt, int64_t pad_id, LoopState& st,
                     std::ofstream& metrics)
    : m_(m), opt_(opt), pad_id_(pad_id), st_(st), metrics_(metrics) {}

Calibration Validator::measure() {
  CalibrationSets cs{&opt_.val_forget, &opt_.holdout, &opt_.val_retain, &opt_.general, pad_id_, opt_.val_batch,
                     &opt_.mia_kinds};
  return measure_calibration(m_, cs);
}

void Validator::start() {
  st_.base_f = opt_.base_forget_nll;
  st_.base_r = opt_.base_retain_nll;
  st_.base_u = opt_.base_utility_nll;
  if (std::isnan(st_.base_f) || std::isnan(st_.base_r)) {
    Calibration c = measure();
    if (std::isnan(st_.base_f)) st_.base_f = c.forget_nll;
    if (std::isnan(st_.base_r)) st_.base_r = c.retain_nll;
  }
  consider(0);
}

bool Validator::better(const json& line) const {
  if (opt_.best_rule == BestRule::Final) return false;
  auto k = selection_key(opt_.best_rule, line, st_.base_r, opt_.retain_tolerance, opt_.utility_tolerance);
  if (std::isinf(k.first)) return false;
  if (st_.best.is_null()) return true;
  auto b = selection_key(opt_.best_rule, st_.best, st_.base_r, opt_.retain_tolerance, opt_.utility_tolerance);
  return k.first > b.first || (k.first == b.first && k.second > b.second);
}

void Validator::keep_best(const json& line) {
  st_.best = line;
  if (!dist::is_main()) return;
  // Written beside, then swapped in: best/ is always a complete state.
  const std::string tmp = cat(opt_.out_dir, "/best.tmp-", getpid());
  std::filesystem::remove_all(tmp);
  save_trainable(m_, tmp);
  replace_dir(tmp, opt_.out_dir + "/best");
}

bool Validator::consider(int64_t step) {
  if (!enabled()) return false;
  Calibration c = measure();
  json line = c.to_json();
  line["step"] = step;
  const double u = c.general_nll;  // NaN without --general: no guard
  if (std::isnan(st_.base_u) && step == 0) st_.base_u = u;
  if (!std::isnan(st_.base_u) && !std::isnan(u)) line["utility_rise"] = u - st_.base_u;
  if (!std::isnan(st_.base_r) && !std::isnan(c.retain_nll)) line["retain_rise"] = c.retain_nll - st_.base_r;
  if (!std::isnan(st_.base_f) && !std::isnan(c.forget_nll)) line["forget_rise"] = c.forget_nll - st_.base_f;
  if (dist::is_main()) metrics_ << json{{"validation", line}}.dump() << "\n" << std::flush;
  st_.last_validation = line;
  if (!opt_.quiet)
    log_info("validation at step ", step, ": forget NLL ", c.forget_nll, ", retain NLL ", c.retain_nll,
             calibrating() ? cat(", holdout NLL ", c.holdout_nll, ", AUC ", c.auc, ", MIA score ", c.mia) : "",
             line.contains("utility_rise") ? cat(", never-seen NLL rise ", line["utility_rise"].get<double>()) : "");
  if (dist::broadcast_flag(better(line))) keep_best(line);  // rank 0 decides for every rank
  const bool hurt = line.contains("utility_rise") && line["utility_rise"].get<double>() > opt_.utility_tolerance;
  st_.damaged = hurt ? st_.damaged + 1 : 0;
  if (dist::broadcast_flag(st_.damaged >= 2)) {
    stop_reason_ = "utility";
    return true;
  }
  if (!calibrating() || std::isnan(c.auc)) return false;
  st_.overshoot = c.auc < 0.5 - opt_.overshoot_margin ? st_.overshoot + 1 : 0;
  if (!dist::broadcast_flag(st_.overshoot >= 2)) return false;
  stop_reason_ = "overshoot";
  return true;
}

}  // namespace libu::unlearn
