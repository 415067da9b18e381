// libu/unlearn/fisher.h — LIBU phase 1 (BRIEF §2.2; Kudelya & Shirnin 2025 §3.1, after
// Koh & Liang 2017): a diagonal empirical Fisher on the retain set and the mean forget
// gradient over the LoRA parameters, then one preconditioned influence step.
#pragma once
#include <vector>

#include "libu/unlearn/plan.h"

namespace libu::unlearn {

struct InfluenceStats {
  std::vector<torch::Tensor> fisher;  // F_i = (1/N_r) Σ_b (∂L(b)/∂θ_i)²   [shape of θ_i], fp32
  std::vector<torch::Tensor> grad;    // g_i = (1/N_f) Σ_b ∂L(b)/∂θ_i      [shape of θ_i], fp32
  int64_t retain_batches = 0, forget_batches = 0;
};

// Running sums only: memory O(|θ|) whatever the data size. LoRA dropout is off (eval mode).
// fisher_batch: micro-batch size of the retain pass (1 = per-example Fisher).
InfluenceStats influence_stats(model::CausalLM& m, const UnlearnData& d, int64_t fisher_batch, int64_t forget_batch);

// θ_i ← θ_i + sign·η₁·g_i/(F_i + λ). sign = +1 (preset libu: ascent on the forget loss)
// or −1 (libu-seed: the published code's descent). Returns the step's L2 norm.
double influence_step(model::CausalLM& m, const InfluenceStats& s, double lr, double damping, double sign);

// Mean NLL over up to `max_batches` micro-batches (no gradients, eval mode).
double mean_nll(model::CausalLM& m, const std::vector<data::Example>& ex, int64_t pad_id, int64_t batch,
                int64_t max_batches = -1);

}  // namespace libu::unlearn
