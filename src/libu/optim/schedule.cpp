#include "libu/optim/schedule.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "libu/core/error.h"

namespace libu::optim {

const char* schedule_name(ScheduleKind k) {
  switch (k) {
    case ScheduleKind::Constant: return "constant";
    case ScheduleKind::Linear: return "linear";
    case ScheduleKind::Cosine: return "cosine";
  }
  return "?";
}

ScheduleKind parse_schedule(const std::string& s) {
  if (s == "constant") return ScheduleKind::Constant;
  if (s == "linear") return ScheduleKind::Linear;
  if (s == "cosine") return ScheduleKind::Cosine;
  fail(cat("unknown LR schedule '", s, "'"), "choose one of: constant, linear, cosine");
}

double LrSchedule::multiplier(int64_t step, int64_t total_steps) const {
  if (step < 0) fail(cat("lr schedule: step ", step, " is negative"));
  if (total_steps < 1) fail(cat("lr schedule: total steps ", total_steps, " must be ≥ 1"));
  if (warmup_steps < 0) fail(cat("lr schedule: warmup steps ", warmup_steps, " must be ≥ 0"));
  const double s = static_cast<double>(step), w = static_cast<double>(warmup_steps);
  const double total = static_cast<double>(total_steps);
  if (step < warmup_steps) return s / std::max(1.0, w);  // linear warmup from 0
  switch (kind) {
    case ScheduleKind::Constant:
      return 1.0;
    case ScheduleKind::Linear:
      return std::max(0.0, (total - s) / std::max(1.0, total - w));
    case ScheduleKind::Cosine: {
      const double progress = (s - w) / std::max(1.0, total - w);
      return std::max(0.0, 0.5 * (1.0 + std::cos(M_PI * progress)));
    }
  }
  return 1.0;
}

double LrSchedule::lr_at(int64_t step, int64_t total_steps) const {
  return base_lr * multiplier(step, total_steps);
}

double clip_grad_norm(const std::vector<torch::Tensor>& grads, double max_norm) {
  torch::NoGradGuard no_grad;
  // ‖g‖² accumulated in fp64 on the first grad's device: one host sync for all tensors.
  torch::Tensor acc;
  for (const auto& g : grads) {
    if (!g.defined()) continue;
    auto sq = g.detach().to(torch::kFloat64).pow(2).sum();
    acc = acc.defined() ? acc + sq.to(acc.device()) : sq;
  }
  const double sq = acc.defined() ? acc.item<double>() : 0.0;
  const double norm = std::sqrt(sq);
  if (max_norm > 0 && std::isfinite(norm) && norm > max_norm) {
    const double scale = max_norm / (norm + 1e-6);  // torch's clip_coef
    for (const auto& g : grads)
      if (g.defined()) g.detach().mul_(scale);
  }
  return norm;
}

double clip_param_grad_norm(const std::vector<torch::Tensor>& params, double max_norm) {
  std::vector<torch::Tensor> grads;
  grads.reserve(params.size());
  for (const auto& p : params) grads.push_back(p.grad());
  return clip_grad_norm(grads, max_norm);
}

bool all_finite(const std::vector<torch::Tensor>& ts) {
  std::vector<torch::Tensor> ok;
  for (auto& t : ts)
    if (t.defined()) ok.push_back(torch::isfinite(t).all());
  return ok.empty() || torch::stack(ok).all().item<bool>();
}

}  // namespace libu::optim
