// libu/unlearn/fisher.h — LIBU phase 1 (LIBU paper, Kudelya & Shirnin 2025 §3.1, after
// Koh & Liang 2017): a diagonal empirical Fisher on the retain set and the mean forget
// gradient over the LoRA parameters, then one preconditioned influence step.
#pragma once
#include <functional>
#include <vector>

#include "libu/unlearn/plan.h"

namespace libu::unlearn {

struct InfluenceStats {
  std::vector<torch::Tensor> fisher;  // F_i = (1/N_r) Σ_b (∂L(b)/∂θ_i)²   [shape of θ_i], fp32
  std::vector<torch::Tensor> grad;    // g_i = (1/N_f) Σ_b ∂L(b)/∂θ_i      [shape of θ_i], fp32
  int64_t retain_batches = 0, forget_batches = 0;
  double fisher_mean() const;  // mean of F over every trainable entry whose F > 0
};

// Running sums only: memory O(|θ|) whatever the data size. LoRA dropout is off (eval mode).
// fisher_batch: micro-batch size of the retain pass (1 = per-example Fisher).
// fisher_temperature T: the retain gradients are those of CE(logits / T) (T = 1: the paper's
// empirical Fisher). At a memorised minimum p ≈ one-hot, so the T = 1 gradients vanish and the
// Fisher no longer sees which parameters the retain predictions rest on; T > 1 measures that
// sensitivity away from saturation (docs/unlearning.md "Phase 1").
InfluenceStats influence_stats(model::CausalLM& m, const UnlearnData& d, int64_t fisher_batch, int64_t forget_batch,
                               double fisher_temperature = 1.0);

// θ_i ← θ_i + sign·η₁·g_i/(F_i + λ). sign = +1 (preset libu: ascent on the forget loss)
// or −1 (libu-seed: the published code's descent). Returns the step's L2 norm.
double influence_step(model::CausalLM& m, const InfluenceStats& s, double lr, double damping, double sign);

// --phase1-lr auto: a backtracking search over η₁ on a geometric grid (factor 4, at most
// `max_trials` trials). Each trial applies θ + sign·η₁·g/(F+λ), calls `measure` (one forward
// pass over the validation rows → {forget NLL, retain NLL}), and restores θ exactly. A trial
// is accepted when the forget NLL rose, the retain NLL rose at most `retain_budget` over
// `retain0`, and the forget NLL stayed at or below τ (when τ is finite). The first η₁ is the
// one whose first-order forget-loss rise η₁·Σ g²/(F+λ) equals the gap τ − forget0 (or
// `retain_budget` without τ); accepted trials are followed up (×4), rejected ones down (÷4)
// until the boundary is bracketed, and the trials left bisect the bracket geometrically.
struct Phase1Trial {
  double lr = 0, forget_nll = NAN, retain_nll = NAN, step_norm = 0;
  bool accepted = false;
};
struct Phase1Search {
  double lr = 0;  // the largest accepted η₁ (0: none accepted, no step taken)
  std::vector<Phase1Trial> trials;
};
using Phase1Measure = std::function<std::pair<double, double>()>;
Phase1Search search_phase1_lr(model::CausalLM& m, const InfluenceStats& s, double damping, double sign,
                              double forget0, double retain0, double retain_budget, double tau,
                              const Phase1Measure& measure, int max_trials = 8);

}  // namespace libu::unlearn
