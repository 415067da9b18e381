// libu/unlearn/trainer.h — the one training loop every method shares (docs/unlearning.md):
// gradient accumulation over a deterministic micro-batch plan, LR schedule with warmup,
// clipping, AdamW or Sophia (with its Hessian refresh), a NaN/Inf guard with rollback,
// validation-based best checkpoint, atomic checkpoints + bit-exact --resume, and a time
// budget. Metrics go to OUT/metrics.jsonl, one JSON line per step.
#pragma once
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/optim/factory.h"
#include "libu/optim/schedule.h"
#include "libu/unlearn/checkpoint_store.h"
#include "libu/unlearn/plan.h"
#include "libu/unlearn/selection.h"

namespace libu::unlearn {

struct TrainerOptions {
  Objective objective = Objective::GD;
  ObjectiveParams objective_params;
  std::string optimizer = "adamw";
  optim::OptimizerOptions optimizer_options;
  optim::LrSchedule schedule;
  int64_t accumulation = 1;
  // Sophia g/h: estimate the curvature on retain micro-batches (each forget micro-batch of a step
  // replaced by the nearest retain one of the plan), so that the clipped step is scaled by the
  // retain data's curvature: coordinates the retain text needs move least, as in phase 1.
  bool curvature_on_retain = false;
  double clip = 1.0;               // global grad-norm clip (<= 0: off)
  // --sam-rho: sharpness-aware steps (Foret et al. 2021; for unlearning, Fan et al. 2025): the
  // step's gradient is taken at θ + ρ·g/‖g‖, g the gradient at θ (two passes per step). 0: off.
  double sam_rho = 0;
  // Per trainable tensor, a factor in [0, 1] applied to each update: θ ← θ + s ⊙ Δθ (empty: none).
  // From LIBU phase 1's retain Fisher under --fisher-step (methods/libu.cpp).
  std::vector<torch::Tensor> step_scale;
  int64_t max_steps = 0;           // 0: as many as the plan holds
  double time_budget_s = 0;        // 0: none
  int64_t checkpoint_every = 0;    // 0: no periodic checkpoints
  int64_t eval_every = 0;          // validation interval in steps (0: only at the end)
  BestRule best_rule = BestRule::Final;
  double retain_tolerance = 0.25;  // nats, for RetainBounded
  std::vector<data::Example> val_forget, val_retain;
  std::vector<data::Example> holdout;   // never-seen rows: the calibration target (may be empty)
  // The utility guard (docs/unlearning.md "Utility guard"): never-seen general documents whose
  // mean NLL may rise at most `utility_tolerance` nats over the start; a state above it is not
  // eligible, and 2 validations in a row above it stop the run. Empty: no guard.
  std::vector<data::Example> general;
  double utility_tolerance = 0.1;
  double overshoot_margin = 0.1;        // stop once AUC < 0.5 − margin at 2 evaluations in a row
  // --mia-kinds: the row kinds (qa, sc, ...) whose forget-vs-holdout AUC the validation AUC and
  // MIA score average (selection, --auto, the overshoot stop). Empty: every kind.
  std::vector<std::string> mia_kinds;
  double base_retain_nll = NAN;         // retain NLL of the model before phase 1 (NaN: measure at start)
  double base_forget_nll = NAN;         // forget NLL before phase 1 (NaN: measure at start)
  double base_utility_nll = NAN;        // general NLL before phase 1 (NaN: measure at start)
  int64_t val_batch = 4;
  std::string out_dir;             // metrics.jsonl, checkpoints/, best/
  bool resume = false;
  uint64_t seed = 0;
  int64_t halt_after = 0;          // stop abruptly after this step, as if killed (tests)
  int64_t pause_after = 0;         // --auto rungs: checkpoint + validate after this step, then return
  bool quiet = false;              // no progress bar (--auto trials)
};

struct TrainResult {
  int64_t steps_done = 0, total_steps = 0, start_step = 0;
  bool stopped_by_budget = false;
  bool stopped_by_overshoot = false;  // AUC fell below 0.5 − margin twice in a row
  bool stopped_by_utility = false;    // the guarded never-seen NLL rose above the tolerance twice in a row
  bool paused = false;                // returned at pause_after (resume to continue)
  int64_t nonfinite_skips = 0;
  double wall_s = 0;
  nlohmann::json best;  // {"step", "val_forget_nll", "val_retain_nll", ...calibration} or null
  nlohmann::json last_validation;  // the last validation line (null when none ran)
};

class Trainer {
 public:
  Trainer(model::CausalLM& m, const UnlearnData& data, std::vector<MicroBatch> plan, TrainerOptions opt);
  ~Trainer();
  // Latest checkpoint step in OUT/checkpoints, or -1.
  static int64_t latest_checkpoint(const std::string& out_dir);
  // Every checkpoint step in OUT/checkpoints, newest first.
  static std::vector<int64_t> checkpoint_steps(const std::string& out_dir);
  TrainResult run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace libu::unlearn
