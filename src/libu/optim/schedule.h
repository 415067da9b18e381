// libu/optim/schedule.h — learning-rate schedules and gradient clipping (docs/unlearning.md).
//
// Schedules follow Hugging Face transformers' get_{constant,linear,cosine}_schedule_with_warmup
// (the trainers the SemEval baselines ran on), as multipliers λ(s) of the base lr, where s is
// the 0-based index of the optimizer step about to be taken and W the warmup steps:
//   warmup    s < W:  λ = s / max(1, W)                        (so step 0 runs at lr 0 when W > 0)
//   constant  s ≥ W:  λ = 1
//   linear    s ≥ W:  λ = max(0, (S − s) / max(1, S − W))     S = total steps
//   cosine    s ≥ W:  λ = max(0, ½(1 + cos(π · (s − W) / max(1, S − W))))
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace libu::optim {

enum class ScheduleKind { Constant, Linear, Cosine };
const char* schedule_name(ScheduleKind k);  // "constant", "linear", "cosine"
// Parses "constant" | "linear" | "cosine"; raises Error otherwise.
ScheduleKind parse_schedule(const std::string& s);

struct LrSchedule {
  ScheduleKind kind = ScheduleKind::Constant;
  double base_lr = 1e-5;
  int64_t warmup_steps = 0;

  // The lr for 0-based optimizer step `step` of `total_steps`. Raises Error on step < 0,
  // total_steps < 1 or warmup_steps < 0. Steps past the end are allowed (linear and cosine
  // stay at 0).
  double lr_at(int64_t step, int64_t total_steps) const;
  double multiplier(int64_t step, int64_t total_steps) const;  // λ(step)
};

// Clips gradients in place by their global L2 norm (as torch::nn::utils::clip_grad_norm_:
// if ‖g‖ > max_norm, every g is scaled by max_norm / (‖g‖ + 1e-6)). Returns the norm before
// clipping, accumulated in fp64 over all grads. max_norm ≤ 0 only measures. A non-finite norm is
// returned without scaling anything (the trainer's NaN guard decides). Undefined grads are
// skipped.
double clip_grad_norm(const std::vector<torch::Tensor>& grads, double max_norm);
// The same over the params' .grad().
double clip_param_grad_norm(const std::vector<torch::Tensor>& params, double max_norm);
// True when every element of every defined tensor is finite: one reduction and one host sync
// over all tensors (not one per tensor). Undefined tensors are skipped.
bool all_finite(const std::vector<torch::Tensor>& ts);

}  // namespace libu::optim
