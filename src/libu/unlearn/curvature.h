// libu/unlearn/curvature.h — the diagonal curvature estimate Sophia's refresh needs, from one
// micro-batch (Liu et al. 2024, "Sophia", Alg. 1 and 2; docs/unlearning.md "Definitions").
#pragma once
#include <vector>

#include <torch/torch.h>

#include "libu/core/rng.h"
#include "libu/model/causal_lm.h"
#include "libu/optim/optimizer.h"
#include "libu/unlearn/objectives.h"
#include "libu/unlearn/plan.h"

namespace libu::unlearn {

// One per-parameter estimate for `params` (empty when the micro-batch has no loss), with its
// random draws from `draws`:
//  - GaussNewtonBartlett (SophiaG): ĝ⊙ĝ·B of ĝ = ∇ CE(logits, ŷ), ŷ ~ softmax(logits) at the loss
//    positions of b [B, T] (through the lean head when the full logits would exceed
//    model::lean_head_keep_bytes(): the same draws and the same estimate, without [B, T, V] logits);
//  - Hutchinson (SophiaH): u⊙(∇²L·u) of the micro-batch's objective times its factor (SUGD's −1
//    on forget batches flips the forget Hessian's sign).
std::vector<torch::Tensor> curvature_estimate(model::CausalLM& m, const std::vector<torch::Tensor>& params,
                                              optim::HessianSource src, const TensorBatch& b, const MicroBatch& mb,
                                              Objective objective, const ObjectiveParams& op, Rng& draws);

// Sophia's curvature refresh after step s (docs/unlearning.md "Sophia's curvature"): the mean of
// the estimates over every micro-batch of the step, on every rank, so W ranks at --accumulation
// A give the estimator of one process at A·W. Each micro-batch draws its sampled labels /
// Rademacher vectors from its own generator, seeded by `seed` and its index in the plan, so the
// draws do not depend on which rank runs it. A non-finite estimate is dropped with a warning
// (kept, it would poison h, and the rollback would restore it). `on_retain`: each forget
// micro-batch is replaced by the nearest retain micro-batch of the plan (retain_neighbour).
void refresh_curvature(optim::Optimizer& sophia, model::CausalLM& m, const std::vector<torch::Tensor>& params,
                       const std::vector<MicroBatch>& plan, const UnlearnData& data, const StepSlots& slots,
                       int64_t s, Objective objective, const ObjectiveParams& op, uint64_t seed, bool on_retain);
// The retain micro-batch of the plan nearest to plan[idx] (idx itself when it is one; the next
// one after it, else the last before it); plan.size() when the plan has none.
size_t retain_neighbour(const std::vector<MicroBatch>& plan, size_t idx);

}  // namespace libu::unlearn
