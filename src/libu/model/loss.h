// libu/model/loss.h — causal-LM losses on shifted logits (HF semantics).
#pragma once
#include <torch/torch.h>

namespace libu::model {

constexpr int64_t kIgnoreIndex = -100;

// Shifted token log-probs: logits [B, T, V], labels [B, T] ->
// logp [B, T-1] of labels[:, 1:] under logits[:, :-1], and mask [B, T-1] (labels != -100), fp32.
std::pair<torch::Tensor, torch::Tensor> token_logprobs(const torch::Tensor& logits, const torch::Tensor& labels);
// HF's mean cross-entropy over all non-ignored shifted positions of the batch. Scalar.
torch::Tensor causal_lm_loss(const torch::Tensor& logits, const torch::Tensor& labels);
// Per-row summed log-prob of the loss tokens [B] and the token counts [B].
std::pair<torch::Tensor, torch::Tensor> sequence_logprob(const torch::Tensor& logits, const torch::Tensor& labels);

}  // namespace libu::model
