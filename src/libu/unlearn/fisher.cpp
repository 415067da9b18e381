#include "libu/unlearn/fisher.h"

#include "libu/core/error.h"
#include "libu/core/progress.h"
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

// Calls fn(grads) with ∂L(b)/∂θ for each micro-batch b of `ex`.
template <typename Fn>
int64_t for_each_gradient(model::CausalLM& m, const std::vector<data::Example>& ex, int64_t pad_id, int64_t bs,
                          const char* label, Fn&& fn) {
  auto params = m.lora()->parameters();
  auto batches = sequential_batches(ex, bs);
  Progress bar(label, int64_t(batches.size()), "batch");
  for (auto& rows : batches) {
    auto b = make_batch(ex, rows, pad_id, m.device());
    auto loss = model::causal_lm_loss(m.forward(b.input_ids, b.attention_mask), b.labels);
    auto grads = torch::autograd::grad({loss}, params, {}, false, false, /*allow_unused=*/true);
    for (size_t i = 0; i < grads.size(); ++i)
      if (!grads[i].defined()) grads[i] = torch::zeros_like(params[i]);
    fn(grads);
    bar.advance();
  }
  return int64_t(batches.size());
}

}  // namespace

InfluenceStats influence_stats(model::CausalLM& m, const UnlearnData& d, int64_t fisher_batch, int64_t forget_batch) {
  if (!m.lora()) fail_internal("phase 1 needs a LoRA adapter");
  if (d.retain.empty()) fail("LIBU phase 1 needs retain rows for the Fisher", "pass --retain");
  bool was = m.training();
  m.set_training(false);  // dropout off in phase 1
  InfluenceStats s;
  for (auto& p : m.lora()->parameters()) {
    s.fisher.push_back(torch::zeros_like(p, torch::kFloat));
    s.grad.push_back(torch::zeros_like(p, torch::kFloat));
  }
  s.retain_batches = for_each_gradient(m, d.retain, d.pad_id, fisher_batch, "fisher (retain)", [&](auto& g) {
    for (size_t i = 0; i < g.size(); ++i) s.fisher[i].add_(g[i].to(torch::kFloat).pow(2));
  });
  s.forget_batches = for_each_gradient(m, d.forget, d.pad_id, forget_batch, "gradient (forget)", [&](auto& g) {
    for (size_t i = 0; i < g.size(); ++i) s.grad[i].add_(g[i].to(torch::kFloat));
  });
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

double mean_nll(model::CausalLM& m, const std::vector<data::Example>& ex, int64_t pad_id, int64_t batch,
                int64_t max_batches) {
  torch::NoGradGuard ng;
  bool was = m.training();
  m.set_training(false);
  double sum = 0;
  int64_t n = 0;
  for (auto& rows : sequential_batches(ex, batch)) {
    if (max_batches >= 0 && n >= max_batches) break;
    auto b = make_batch(ex, rows, pad_id, m.device());
    sum += model::causal_lm_loss(m.forward(b.input_ids, b.attention_mask), b.labels).item<double>();
    ++n;
  }
  m.set_training(was);
  return n ? sum / double(n) : std::nan("");
}

}  // namespace libu::unlearn
