#include "libu/model/loss.h"

namespace libu::model {

std::pair<torch::Tensor, torch::Tensor> token_logprobs(const torch::Tensor& logits, const torch::Tensor& labels) {
  int64_t T = logits.size(1);
  auto lg = logits.narrow(1, 0, T - 1).to(torch::kFloat);  // [B, T-1, V]
  auto y = labels.narrow(1, 1, T - 1).to(lg.device());     // [B, T-1]
  auto mask = y.ne(kIgnoreIndex);
  auto safe_y = y.masked_fill(mask.logical_not(), 0);
  auto logp = torch::log_softmax(lg, -1).gather(-1, safe_y.unsqueeze(-1)).squeeze(-1);  // [B, T-1]
  return {logp * mask.to(torch::kFloat), mask.to(torch::kFloat)};
}

torch::Tensor causal_lm_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  auto [logp, mask] = token_logprobs(logits, labels);
  return -logp.sum() / mask.sum().clamp_min(1.0);
}

std::pair<torch::Tensor, torch::Tensor> sequence_logprob(const torch::Tensor& logits, const torch::Tensor& labels) {
  auto [logp, mask] = token_logprobs(logits, labels);
  return {logp.sum(1), mask.sum(1)};
}

}  // namespace libu::model
