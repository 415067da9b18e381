// libu/unlearn/step_reduce.h — what one optimizer step sums over its micro-batches, and the sum
// over the ranks under `libu launch` (docs/distributed.md): one all-reduce of a flattened fp32
// buffer holding the gradients, the loss, the logged objective terms and the host-side counts.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace libu::unlearn {

struct StepSums {
  torch::Tensor loss;                          // scalar fp64: Σ of the weighted micro-batch losses
  int64_t tokens = 0;                          // scored tokens
  std::map<std::string, torch::Tensor> logs;   // objective_log_keys() terms, summed over micro-batches
  std::map<std::string, int> counts;           // micro-batches that logged each term
};

// Sums `s` and the params' gradients over every rank, in place. A param no rank produced a
// gradient for stays undefined, as in one process.
void all_reduce_step(const std::vector<torch::Tensor>& params, StepSums& s);

}  // namespace libu::unlearn
