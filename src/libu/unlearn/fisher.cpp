#include "libu/unlearn/fisher.h"

#include <cmath>

#include "libu/core/error.h"
#include "libu/core/progress.h"
#include "libu/dist/dist.h"
#include "libu/model/lm_head.h"
#include "libu/model/loss.h"

namespace libu::unlearn {

namespace {

// Batches in file order (no shuffle): phase 1 and evaluation see every row once.
std::vector<std::vector<size_t>> sequential_batches(const std::vector<data::Example>& ex, int64_t bs) {
  data::SamplerOptions o;
  o.batch_size = bs;
  o.shuffle = false;
  return data::epoch_batches(ex, o, 0);
}

// Calls fn(grads) with ∂L(b)/∂θ for each micro-batch b of `ex` that this rank owns (batch j
// belongs to rank j mod world, dist.h). Returns the number of batches over all ranks.
template <typename Fn>
int64_t for_each_gradient(model::CausalLM& m, const std::vector<data::Example>& ex, int64_t pad_id, int64_t bs,
                          const char* label, double temperature, Fn&& fn) {
  auto params = m.lora()->parameters();
  auto batches = sequential_batches(ex, bs);
  Progress bar(label, int64_t(batches.size()), "batch");
  for (size_t j = 0; j < batches.size(); ++j) {
    if (!dist::owns(j)) continue;
    auto b = make_batch(ex, batches[j], pad_id, m.device());
    // CE(logits / T) through the lean LM head: no [B, T, V] logits tensor.
    auto loss = model::lean_causal_lm_loss(m, b.input_ids, b.attention_mask, b.labels, temperature);
    auto grads = torch::autograd::grad({loss}, params, {}, false, false, /*allow_unused=*/true);
    for (size_t i = 0; i < grads.size(); ++i)
      if (!grads[i].defined()) grads[i] = torch::zeros_like(params[i]);
    fn(grads);
    bar.advance(dist::world_size());
  }
  return int64_t(batches.size());
}

}  // namespace

double InfluenceStats::fisher_mean() const {
  double sum = 0, n = 0;
  for (auto& f : fisher) {
    auto pos = f.gt(0);
    sum += f.masked_select(pos).sum().item<double>();
    n += double(pos.sum().item<int64_t>());
  }
  return n > 0 ? sum / n : 0.0;
}

InfluenceStats influence_stats(model::CausalLM& m, const UnlearnData& d, int64_t fisher_batch, int64_t forget_batch,
                               double fisher_temperature) {
  if (!(fisher_temperature > 0)) fail(cat("--fisher-temperature must be > 0, got ", fisher_temperature));
  if (!m.lora()) fail_internal("phase 1 needs a LoRA adapter");
  if (d.retain.empty()) fail("LIBU phase 1 needs retain rows for the Fisher", "pass --retain");
  bool was = m.training();
  m.set_training(false);  // dropout off in phase 1
  InfluenceStats s;
  for (auto& p : m.lora()->parameters()) {
    s.fisher.push_back(torch::zeros_like(p, torch::kFloat));
    s.grad.push_back(torch::zeros_like(p, torch::kFloat));
  }
  s.retain_batches = for_each_gradient(m, d.retain, d.pad_id, fisher_batch, "fisher (retain)", fisher_temperature, [&](auto& g) {
    for (size_t i = 0; i < g.size(); ++i) s.fisher[i].add_(g[i].to(torch::kFloat).pow(2));
  });
  s.forget_batches = for_each_gradient(m, d.forget, d.pad_id, forget_batch, "gradient (forget)", 1.0, [&](auto& g) {
    for (size_t i = 0; i < g.size(); ++i) s.grad[i].add_(g[i].to(torch::kFloat));
  });
  // Each rank summed its own batches; one all-reduce gives every rank the global sums.
  std::vector<torch::Tensor> sums = s.fisher;
  sums.insert(sums.end(), s.grad.begin(), s.grad.end());
  dist::all_reduce_sum(sums);
  for (auto& f : s.fisher) f.div_(double(std::max<int64_t>(1, s.retain_batches)));
  for (auto& g : s.grad) g.div_(double(std::max<int64_t>(1, s.forget_batches)));
  m.set_training(was);
  return s;
}

double influence_step(model::CausalLM& m, const InfluenceStats& s, double lr, double damping, double sign) {
  if (damping <= 0) fail(cat("--damping must be > 0, got ", damping));
  torch::NoGradGuard ng;
  auto params = m.lora()->parameters();
  double sq = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    auto delta = (s.grad[i] / (s.fisher[i] + damping)) * (sign * lr);  // ±η₁ g/(F+λ)
    sq += delta.pow(2).sum().item<double>();
    params[i].add_(delta.to(params[i].scalar_type()));
  }
  return std::sqrt(sq);
}

namespace {

// First-order forget-loss rise per unit η₁: Σ_i g_i²/(F_i + λ) (the directional derivative of
// L_f along the preconditioned step).
double predicted_rise_per_lr(const InfluenceStats& s, double damping) {
  double r = 0;
  for (size_t i = 0; i < s.grad.size(); ++i) r += (s.grad[i].pow(2) / (s.fisher[i] + damping)).sum().item<double>();
  return r;
}

}  // namespace

Phase1Search search_phase1_lr(model::CausalLM& m, const InfluenceStats& s, double damping, double sign,
                              double forget0, double retain0, double retain_budget, double tau,
                              const Phase1Measure& measure, int max_trials) {
  Phase1Search out;
  auto params = m.lora()->parameters();
  std::vector<torch::Tensor> snap;
  for (auto& p : params) snap.push_back(p.detach().clone());
  auto restore = [&] {
    torch::NoGradGuard ng;
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(snap[i]);
  };
  double gap = std::isfinite(tau) && tau > forget0 ? tau - forget0 : retain_budget;
  double slope = predicted_rise_per_lr(s, damping);
  if (!(slope > 0) || !(gap > 0)) return out;  // zero forget gradient: nothing to step along
  // Bracket on the factor-4 grid, then bisect the bracket geometrically with the trials left.
  double lo = 0, hi = 0;  // largest accepted, smallest rejected
  auto trial = [&](double lr) {
    Phase1Trial t;
    t.lr = lr;
    t.step_norm = influence_step(m, s, lr, damping, sign);
    std::tie(t.forget_nll, t.retain_nll) = measure();
    restore();
    t.accepted = t.forget_nll > forget0 && t.retain_nll - retain0 <= retain_budget &&
                 (!std::isfinite(tau) || t.forget_nll <= tau);
    out.trials.push_back(t);
    if (t.accepted) lo = std::max(lo, lr);
    else hi = hi == 0 ? lr : std::min(hi, lr);
    return t.accepted;
  };
  double lr = gap / slope;
  bool first = trial(lr);
  while (int(out.trials.size()) < max_trials && (lo == 0 || hi == 0)) {
    lr = first ? lr * 4 : lr / 4;
    trial(lr);
  }
  while (int(out.trials.size()) < max_trials && lo > 0 && hi > 0) trial(std::sqrt(lo * hi));
  out.lr = lo;
  return out;
}

}  // namespace libu::unlearn
