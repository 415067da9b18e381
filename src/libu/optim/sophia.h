// libu/optim/sophia.h — Sophia, a second-order clipped stochastic optimizer
// (H. Liu, Z. Li, D. Hall, P. Liang, T. Ma, "Sophia: A Scalable Stochastic Second-order
// Optimizer for Language Model Pre-training", ICLR 2024; arXiv 2305.14342), in the three
// variants below (docs/unlearning.md "Definitions"):
//
//  g    the official SophiaG (Liuhong99/Sophia, sophia.py + train_sophiag.py):
//         θ ← θ(1 − lr·wd)                                   (decoupled weight decay)
//         m ← β1 m + (1−β1) g
//         θ ← θ − lr · sign(m) · min(|m| / (ρ · bs · h + 1e-15), 1)   bs = tokens per step
//       and, every k steps, h ← β2 h + (1−β2) ĝ⊙ĝ with ĝ = ∇ CE(logits, ŷ), ŷ ~ softmax(logits)
//       (the Gauss-Newton-Bartlett estimator, paper §2.3 / Algorithm 2; the 1/B factor of the
//       mean-loss gradient is undone by the `bs` in the denominator). Defaults β = (0.965, 0.99),
//       ρ = 0.04, wd = 0.1, k = 10.
//  seed the variant of the published unlearning code (preset libu-seed):
//         m ← β1 m + (1−β1) g
//         with probability p (`hessian_prob`, the paper's SOPHIA_RHO), drawn once per tensor per
//         step from a libu::Rng:  h ← β2 h + (1−β2) g⊙g
//         m̂ = m/(1−β1^t), ĥ = h/(1−β2^t)
//         θ ← θ − lr · clamp(m̂ / max(γ·ĥ, 1e-8), −1, 1)          (γ = SOPHIA_GAMMA)
//       Defaults β = (0.9, 0.999), p = 0.08, γ = 1.15, no weight decay.
//  h    SophiaH: h ← β2 h + (1−β2) ĥ every k steps with the Hutchinson estimate
//       ĥ = u⊙(∇²L·u), u Rademacher (paper Algorithm 1), then the clipped update of `g`. The
//       Hutchinson estimate is of diag(∇²L) itself (no Bartlett 1/B factor), so the denominator
//       is max(ρ·h, eps) — paper Algorithm 3's max{γ·h, ε} — rather than ρ·bs·h + eps; the max
//       also keeps a negative Hutchinson estimate from flipping the update's sign.
//       Defaults as for `g`.
//
// The win-rate (Sophia authors: keep it in 0.1–0.5) is the fraction of coordinates whose ratio
// |m|/denominator is < 1, i.e. not clipped, over all params updated in the step.
//
// All state (m, h) is fp32 on the params' device whatever the params' dtype; the update is
// computed in fp32 and written back.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "libu/core/rng.h"
#include "libu/optim/optimizer.h"

namespace libu::optim {

enum class SophiaVariant { G, Seed, H };
const char* variant_name(SophiaVariant v);  // "g", "seed", "h"
// Parses "g" | "seed" | "h"; raises Error otherwise.
SophiaVariant parse_sophia_variant(const std::string& s);

struct SophiaOptions {
  SophiaVariant variant = SophiaVariant::G;
  double beta1 = 0.965;
  double beta2 = 0.99;
  double rho = 0.04;             // g, h: the clipping scale ρ
  double weight_decay = 0.1;     // decoupled (all variants; 0 for seed by default)
  int64_t hessian_interval = 10; // g, h: k
  double gamma = 1.15;           // seed: γ (SOPHIA_GAMMA)
  double hessian_prob = 0.08;    // seed: probability of an h update per tensor (SOPHIA_RHO)
  double eps = 1e-15;            // g, h: 1e-15; seed: 1e-8 (the floor of γ·ĥ)
  uint64_t seed = 0;             // seeds the optimizer's Rng (seed's draws, helpers below)
  // g, h: warm curvature. The official h starts at 0 and gets (1−β2) of an estimate every k steps,
  // so for its first ~1/(1−β2)·k steps (1,000 at the defaults) nearly every coordinate is clipped
  // and the step is lr·sign(m). Warm: an estimate before the first step (hessian_due() is true
  // then), and h bias-corrected as Adam's moments are, ĥ = h/(1 − β2^n) after n estimates.
  bool warm = false;

  // The defaults of a variant, as listed above.
  static SophiaOptions defaults(SophiaVariant v);
  void validate() const;  // raises Error naming the bad field
  nlohmann::json to_json() const;
};

class Sophia final : public Optimizer {
 public:
  Sophia(std::vector<torch::Tensor> params, const SophiaOptions& options,
         std::vector<std::string> names = {});

  std::string name() const override;
  const SophiaOptions& options() const { return opts_; }

  HessianSource hessian_source() const override;
  // g, h: true after a step() whose 1-based count is a multiple of k — the official loop's
  // `iter_num % hess_interval == hess_interval − 1` (train_sophiag.py), on the current batch.
  bool hessian_due() const override;
  // g: estimate = ĝ⊙ĝ (see update_hessian_gnb); h: estimate = u⊙(∇²L·u). Each [shape of θ_i].
  // h ← β2 h + (1−β2) estimate. Raises Error for `seed` (its h is updated inside step()).
  void update_hessian(const std::vector<torch::Tensor>& estimate) override;
  // g convenience: takes ĝ (gradients of the sampled-label loss) and squares them.
  void update_hessian_gnb(const std::vector<torch::Tensor>& sampled_grads);
  // ĝ⊙ĝ per param in fp32 (undefined stays undefined): the GNB estimate, for callers that
  // combine estimates before update_hessian (the distributed trainer averages them).
  static std::vector<torch::Tensor> gnb_estimate(const std::vector<torch::Tensor>& sampled_grads);

  // Fraction of coordinates not clipped in the last step (NaN before the first step).
  double last_win_rate() const { return win_rate_; }
  int64_t hessian_updates() const { return hessian_updates_; }
  nlohmann::json step_stats() const override;  // {"win_rate": x}

  // keys "<name>.exp_avg", "<name>.hessian" for every param (fp32).
  std::map<std::string, torch::Tensor> state_tensors() const override;
  // {"optimizer": "sophia", "variant", "steps", "hessian_updates", "rng": [4 u64 as strings],
  //  "options": {...}}
  nlohmann::json state_json() const override;
  void load_state(const std::map<std::string, torch::Tensor>& tensors,
                  const nlohmann::json& json) override;

  // The optimizer's RNG (checkpointed with its state): seed's draws; a trainer may also use it
  // for the GNB label sampling and the Hutchinson vectors so that they resume exactly.
  Rng& rng() { return rng_; }
  const std::vector<torch::Tensor>& exp_avg() const { return m_; }   // fp32, [shape of θ_i]
  const std::vector<torch::Tensor>& hessian() const { return h_; }   // fp32, [shape of θ_i]

 protected:
  void do_step(const std::vector<torch::Tensor>& grads, double lr, int64_t tokens_per_step) override;

 private:
  SophiaOptions opts_;
  std::vector<torch::Tensor> m_;  // EMA of gradients, fp32
  std::vector<torch::Tensor> h_;  // EMA of diagonal Hessian estimates, fp32
  Rng rng_;
  int64_t hessian_updates_ = 0;
  double win_rate_;
};

// Hutchinson's estimator of diag(∇²L) (Sophia paper Algorithm 1; M. F. Hutchinson 1990):
// for Rademacher u (±1 with probability ½, drawn from `rng`, so deterministic and
// checkpointable), E[u⊙(∇²L·u)] = diag(∇²L). ∇²L·u is a Hessian-vector product by double
// backward: ∇_θ (∇_θ L · u), with create_graph=true on the first gradient.
struct HutchinsonResult {
  std::vector<torch::Tensor> grads;  // ∇L, detached, one per param ([shape of θ_i]; zeros if unused)
  std::vector<torch::Tensor> diag;   // mean over `samples` of u⊙(∇²L·u), fp32 ([shape of θ_i])
};
// loss: a scalar depending on params (leaf tensors with requires_grad). The graph of `loss` is
// freed afterwards; use the returned grads for the step. samples ≥ 1 draws averaged.
HutchinsonResult hutchinson_diag(const torch::Tensor& loss, const std::vector<torch::Tensor>& params,
                                 Rng& rng, int64_t samples = 1);

// A ±1 tensor of the given shape (fp32, on `options`' device), one bit of `rng` per element
// (64 elements per draw), generated on the CPU so that every device gets the same u.
torch::Tensor rademacher(at::IntArrayRef shape, Rng& rng, const torch::TensorOptions& options);

// For Sophia g's Gauss-Newton-Bartlett estimate: one label per row, ŷ ~ softmax(logits), by
// inverse CDF with one rng.uniform() per row. logits [N, V] (any float dtype/device) → [N] int64
// on the same device. Deterministic given the rng state.
torch::Tensor sample_categorical(const torch::Tensor& logits, Rng& rng);
// The same inverse-CDF draw with the uniforms given: u [N] fp64 in [0, 1), one per row of
// logits [N, V] (sample_categorical(logits, rng) == sample_with_uniforms(logits, N draws of rng)).
torch::Tensor sample_with_uniforms(const torch::Tensor& logits, const torch::Tensor& u);

}  // namespace libu::optim
