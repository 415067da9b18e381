// libu/unlearn/step_reduce.cpp — see step_reduce.h.
#include "libu/unlearn/step_reduce.h"

#include <algorithm>
#include <cmath>

#include "libu/core/error.h"
#include "libu/dist/dist.h"
#include "libu/unlearn/objectives.h"

namespace libu::unlearn {

void all_reduce_step(const std::vector<torch::Tensor>& params, StepSums& s) {
  const auto f32 = params[0].options().dtype(torch::kFloat);
  const auto& keys = objective_log_keys();
  for (auto& [k, v] : s.logs)
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) fail_internal(cat("log key '", k, "' not in objective_log_keys"));
  // Host-side counts, summed too: [tokens, has-gradient per param (P), micro-batches per log key (K)].
  std::vector<float> meta = {float(s.tokens)};
  for (auto& p : params) meta.push_back(p.grad().defined() ? 1.0f : 0.0f);
  for (auto& k : keys) meta.push_back(s.counts.count(k) ? float(s.counts[k]) : 0.0f);
  std::vector<torch::Tensor> buf;  // [grads (P)..., loss [1], log sums [K], meta [1 + P + K]]
  for (auto& p : params)
    buf.push_back(p.grad().defined() ? p.grad().to(torch::kFloat) : torch::zeros_like(p, torch::kFloat));
  buf.push_back(s.loss.to(torch::kFloat).reshape({1}));
  std::vector<torch::Tensor> log_sums;
  for (auto& k : keys) log_sums.push_back(s.logs.count(k) ? s.logs[k].to(torch::kFloat).reshape({1}) : torch::zeros({1}, f32));
  buf.push_back(torch::cat(log_sums));
  buf.push_back(torch::tensor(meta, torch::kFloat).to(f32.device()));
  dist::all_reduce_sum(buf);
  const size_t P = params.size();
  auto host = buf[P + 2].cpu();  // the meta block, one transfer
  const float* h = host.data_ptr<float>();
  s.tokens = int64_t(std::llround(h[0]));
  for (size_t i = 0; i < P; ++i) {
    auto p = params[i];  // shares the tensor: setting its grad sets the param's
    p.mutable_grad() = h[1 + i] > 0 ? buf[i].to(p.dtype()) : torch::Tensor();
  }
  s.loss = buf[P].reshape({}).to(torch::kDouble);
  s.logs.clear();
  s.counts.clear();
  for (size_t i = 0; i < keys.size(); ++i) {
    int c = int(std::lround(h[1 + P + i]));
    if (c == 0) continue;
    s.logs[keys[i]] = buf[P + 1][int64_t(i)];
    s.counts[keys[i]] = c;
  }
}

}  // namespace libu::unlearn
