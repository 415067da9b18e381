// libu/unlearn/curvature.cpp — Sophia's curvature estimates from one micro-batch (curvature.h).
#include "libu/unlearn/curvature.h"

#include "libu/model/lm_head.h"
#include "libu/model/loss.h"
#include "libu/model/packing.h"
#include "libu/optim/sophia.h"

namespace libu::unlearn {

namespace {

// SophiaG: ĝ = ∇ CE(logits, ŷ), ŷ ~ softmax(logits) on the loss positions (Liu et al. 2024, Alg. 2).
std::vector<torch::Tensor> gnb(model::CausalLM& m, const std::vector<torch::Tensor>& params, const TensorBatch& b,
                               Rng& draws) {
  auto logits = model::batch_logits(m, b.input_ids, b.attention_mask);  // [B, T, V]
  int64_t T = logits.size(1);
  auto lg = logits.narrow(1, 0, T - 1).reshape({-1, logits.size(2)});  // [B·(T-1), V]
  auto mask = b.labels.narrow(1, 1, T - 1).reshape({-1}).ne(model::kIgnoreIndex);
  auto y = optim::sample_categorical(lg.detach(), draws);
  auto ce = torch::nll_loss(torch::log_softmax(lg, -1), y, {}, at::Reduction::None);
  auto loss = (ce * mask.to(ce.dtype())).sum() / mask.sum().clamp_min(1);
  auto g = torch::autograd::grad({loss}, params, {}, false, false, true);
  for (size_t i = 0; i < g.size(); ++i)
    if (!g[i].defined()) g[i] = torch::zeros_like(params[i]);
  return optim::Sophia::gnb_estimate(g);
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

}  // namespace libu::unlearn
