// libu/model/checkpoint.h — activation checkpointing: run fn without keeping its
// activations, recompute it during backward (Chen et al. 2016, "Training Deep Nets with
// Sublinear Memory Cost"). Gradients equal those of the plain call.
#pragma once
#include <functional>
#include <vector>

#include <torch/torch.h>

namespace libu::model {

// y = fn(x); params are the trainable tensors fn reads (they receive gradients).
// fn must own what it captures (it runs again during backward). x: any shape.
torch::Tensor checkpointed(const std::function<torch::Tensor(const torch::Tensor&)>& fn,
                           const torch::Tensor& x, const std::vector<torch::Tensor>& params);

}  // namespace libu::model
