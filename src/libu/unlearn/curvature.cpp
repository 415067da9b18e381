// libu/unlearn/curvature.cpp — Sophia's curvature estimates from one micro-batch (curvature.h).
#include "libu/unlearn/curvature.h"

#include "libu/core/log.h"
#include "libu/dist/dist.h"
#include "libu/model/lm_head.h"
#include "libu/model/loss.h"
#include "libu/model/packing.h"
#include "libu/optim/schedule.h"
#include "libu/optim/sophia.h"

namespace libu::unlearn {

namespace {

std::vector<torch::Tensor> grads_or_zeros(const torch::Tensor& loss, const std::vector<torch::Tensor>& params) {
  auto g = torch::autograd::grad({loss}, params, {}, false, false, true);
  for (size_t i = 0; i < g.size(); ++i)
    if (!g[i].defined()) g[i] = torch::zeros_like(params[i]);
  return g;
}

// SophiaG: ĝ = ∇ CE(logits, ŷ), ŷ ~ softmax(logits) on the loss positions (Liu et al. 2024, Alg. 2).
// Full logits [B, T, V] when they take at most model::lean_head_keep_bytes() (as the lean head
// decides; bit-identical to the estimate before the lean head), else the lean head.
std::vector<torch::Tensor> gnb_full(model::CausalLM& m, const std::vector<torch::Tensor>& params, const TensorBatch& b,
                                    Rng& draws) {
  auto logits = model::batch_logits(m, b.input_ids, b.attention_mask);  // [B, T, V]
  int64_t T = logits.size(1);
  auto lg = logits.narrow(1, 0, T - 1).reshape({-1, logits.size(2)});  // [B·(T-1), V]
  auto mask = b.labels.narrow(1, 1, T - 1).reshape({-1}).ne(model::kIgnoreIndex);
  auto y = optim::sample_categorical(lg.detach(), draws);
  auto ce = torch::nll_loss(torch::log_softmax(lg, -1), y, {}, at::Reduction::None);
  auto loss = (ce * mask.to(ce.dtype())).sum() / mask.sum().clamp_min(1);
  return optim::Sophia::gnb_estimate(grads_or_zeros(loss, params));
}

// The lean head's estimate: the same draws (one uniform per position of [B·(T-1)], in order,
// those at the loss positions used), ŷ sampled from chunks of logits at the loss positions,
// and ĝ through model::label_logprobs, so no [B, T, V] logits exist at once.
std::vector<torch::Tensor> gnb_lean(model::CausalLM& m, const std::vector<torch::Tensor>& params, const TensorBatch& b,
                                    Rng& draws) {
  const int64_t B = b.input_ids.size(0), T = b.input_ids.size(1);
  auto u_all = torch::empty({B * (T - 1)}, torch::kDouble);  // [B·(T-1)]
  for (int64_t r = 0; r < u_all.numel(); ++r) u_all.data_ptr<double>()[r] = draws.uniform();
  auto st = model::loss_position_states(m, b.input_ids, b.attention_mask, b.labels);  // h [n, D], k [n]
  const int64_t n = st.h.size(0), chunk = model::lm_head_chunk_rows(m.config().vocab_size);
  auto u = u_all.index_select(0, st.k.cpu());  // [n]
  auto y_hat = torch::empty({n}, st.y.options());  // [n]
  {
    torch::NoGradGuard ng;
    for (int64_t s = 0; s < n; s += chunk) {
      const int64_t c = std::min(chunk, n - s);
      auto z = torch::linear(st.h.narrow(0, s, c), m.head_weight()).to(torch::kFloat);  // [c, V]
      y_hat.narrow(0, s, c).copy_(optim::sample_with_uniforms(z, u.narrow(0, s, c)));
    }
  }
  auto lp = model::label_logprobs(st.h, m.head_weight(), y_hat);  // [n]
  auto loss = -lp.sum() / double(std::max<int64_t>(1, n));
  return optim::Sophia::gnb_estimate(grads_or_zeros(loss, params));
}

std::vector<torch::Tensor> gnb(model::CausalLM& m, const std::vector<torch::Tensor>& params, const TensorBatch& b,
                               Rng& draws) {
  const int64_t full_bytes = b.input_ids.numel() * m.config().vocab_size * 4;
  return full_bytes <= model::lean_head_keep_bytes() ? gnb_full(m, params, b, draws) : gnb_lean(m, params, b, draws);
}

}  // namespace

std::vector<torch::Tensor> curvature_estimate(model::CausalLM& m, const std::vector<torch::Tensor>& params,
                                              optim::HessianSource src, const TensorBatch& b, const MicroBatch& mb,
                                              Objective objective, const ObjectiveParams& op, Rng& draws) {
  if (src == optim::HessianSource::GaussNewtonBartlett) return gnb(m, params, b, draws);
  if (src == optim::HessianSource::Hutchinson) {
    model::FullLogitsGuard twice_differentiable;  // Hessian-vector products need plain autograd
    auto loss = objective_loss(objective, m, b, mb.forget, op).loss;
    if (!loss.defined()) return {};
    return optim::hutchinson_diag(loss * mb.factor, params, draws).diag;
  }
  return {};
}

size_t retain_neighbour(const std::vector<MicroBatch>& plan, size_t idx) {
  for (size_t j = idx; j < plan.size(); ++j)
    if (!plan[j].forget) return j;
  for (size_t j = std::min(idx, plan.size()); j-- > 0;)
    if (!plan[j].forget) return j;
  return plan.size();
}

void refresh_curvature(optim::Optimizer& sophia, model::CausalLM& m, const std::vector<torch::Tensor>& params,
                       const std::vector<MicroBatch>& plan, const UnlearnData& data, const StepSlots& slots,
                       int64_t s, Objective objective, const ObjectiveParams& op, uint64_t seed, bool on_retain) {
  const auto f32 = params[0].options().dtype(torch::kFloat);
  std::vector<torch::Tensor> sum;
  for (auto& p : params) sum.push_back(torch::zeros_like(p, f32));
  int64_t n = 0;
  for (int64_t k = 0; k < slots.acc; ++k) {
    const size_t idx = slots.index(s, k);
    if (idx >= plan.size()) break;
    Rng draws(mix_seed(seed ^ 0x4e55, uint64_t(idx)));
    const size_t src = on_retain ? retain_neighbour(plan, idx) : idx;
    if (src >= plan.size()) continue;  // no retain rows at all
    const MicroBatch& mb = plan[src];
    auto b = make_batch(mb.forget ? data.forget : data.retain, mb.rows, data.pad_id, m.device());
    auto est = curvature_estimate(m, params, sophia.hessian_source(), b, mb, objective, op, draws);
    if (est.empty()) continue;  // a micro-batch without a loss
    if (!optim::all_finite(est)) {
      log_warn("step ", s + 1, ": non-finite curvature estimate on micro-batch ", idx, "; not used");
      continue;
    }
    for (size_t i = 0; i < params.size(); ++i)
      if (est[i].defined()) sum[i].add_(est[i].to(torch::kFloat));
    ++n;
  }
  if (slots.world > 1) {  // one all-reduce: the sums and the count
    sum.push_back(torch::full({1}, float(n), f32));
    dist::all_reduce_sum(sum);
    n = std::llround(sum.back().item<double>());
    sum.pop_back();
  }
  if (n == 0) return;
  for (auto& t : sum) t.div_(double(n));
  sophia.update_hessian(sum);
}

}  // namespace libu::unlearn
