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
//    positions of b [B, T];
//  - Hutchinson (SophiaH): u⊙(∇²L·u) of the micro-batch's objective times its factor (SUGD's −1
//    on forget batches flips the forget Hessian's sign).
std::vector<torch::Tensor> curvature_estimate(model::CausalLM& m, const std::vector<torch::Tensor>& params,
                                              optim::HessianSource src, const TensorBatch& b, const MicroBatch& mb,
                                              Objective objective, const ObjectiveParams& op, Rng& draws);

}  // namespace libu::unlearn
