// libu/unlearn/validation.h — validation during training (docs/unlearning.md "Best state",
// "Utility guard"): measures the current state on the validation rows (calibration.h), logs the
// line to metrics.jsonl, keeps the best state under the selection rule in OUT/best, and counts
// the two early stops: overshoot (AUC below 0.5 − margin) and damage (the never-seen NLL above
// --utility-tolerance), each at 2 validations in a row.
#pragma once
#include <fstream>
#include <string>

#include "libu/model/causal_lm.h"
#include "libu/unlearn/calibration.h"
#include "libu/unlearn/checkpoint_store.h"
#include "libu/unlearn/trainer.h"

namespace libu::unlearn {

class Validator {
 public:
  // `st` (best, baselines, counters) and `metrics` are the trainer's; both outlive this.
  Validator(model::CausalLM& m, const TrainerOptions& opt, int64_t pad_id, LoopState& st, std::ofstream& metrics);
  bool enabled() const { return !opt_.val_forget.empty() || !opt_.val_retain.empty(); }
  bool calibrating() const { return !opt_.holdout.empty() && !opt_.val_forget.empty(); }
  // Step 0: the baselines (given in the options, else measured now) and the first validation,
  // so the starting state is a candidate too.
  void start();
  // Validates the state after `step`; true when training should stop early (stop_reason()).
  bool consider(int64_t step);
  const std::string& stop_reason() const { return stop_reason_; }  // "overshoot" | "utility"

 private:
  Calibration measure();
  bool better(const nlohmann::json& line) const;
  void keep_best(const nlohmann::json& line);

  model::CausalLM& m_;
  const TrainerOptions& opt_;
  int64_t pad_id_;
  LoopState& st_;
  std::ofstream& metrics_;
  std::string stop_reason_;
};

}  // namespace libu::unlearn
