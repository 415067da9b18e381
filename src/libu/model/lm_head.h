// libu/model/lm_head.h — the lean LM head (issue #12): label log-probabilities straight from the
// final hidden states, only at the loss positions, in chunks of rows. No [tokens, V] fp32
// logits tensor is alive at once: the forward keeps only each row's log-sum-exp, and the
// backward recomputes one chunk's logits at a time (the memory-saving cross-entropy of
// Wijmans et al. 2024, "Cut Your Losses in Large-Vocabulary Language Models", done here
// with plain matmuls per chunk).
//   d log p(y|z) / dz = onehot(y) − softmax(z),  z = (h Wᵀ) / T
//   dL/dh = (g ⊙ (onehot − p)) W / T,  dL/dW = (g ⊙ (onehot − p))ᵀ h / T
#pragma once
#include <torch/torch.h>

#include "libu/model/causal_lm.h"

namespace libu::model {

// Rows per chunk so that one chunk's fp32 logits take about 64 MB.
int64_t lm_head_chunk_rows(int64_t vocab);
// Below this many bytes of fp32 logits (default 256 MB), the full logits are kept (plain
// autograd): recomputing costs one more matmul, which only pays off when the logits would not
// fit. Settable for tests and benches (0 = always the lean, chunked path).
int64_t lean_head_keep_bytes();
void set_lean_head_keep_bytes(int64_t bytes);

// log p(y_i | h_i) at temperature T, fp32 [N] (fp64 for fp64 inputs). h: [N, D] (compute dtype), W: [V, D] (same
// dtype), y: [N] int64 in [0, V). Differentiable in h and W (W only when it requires grad).
// The logits are h Wᵀ in the compute dtype, then fp32, as CausalLM::forward computes them.
// chunk_rows 0 = automatic: plain autograd below lean_head_keep_bytes() of logits, else chunks of
// lm_head_chunk_rows(V) with the recomputing backward; chunk_rows > 0 forces the chunked path.
torch::Tensor label_logprobs(const torch::Tensor& h, const torch::Tensor& W, const torch::Tensor& y,
                             double temperature = 1.0, int64_t chunk_rows = 0);

// The lean backward is first-order only (it recomputes the logits outside the graph). Code that
// differentiates twice (Sophia-H's Hessian-vector products) holds a FullLogitsGuard: while one
// is alive on this thread, lean_token_logprobs goes through full logits and plain autograd.
class FullLogitsGuard {
 public:
  FullLogitsGuard();
  ~FullLogitsGuard();
  FullLogitsGuard(const FullLogitsGuard&) = delete;
  FullLogitsGuard& operator=(const FullLogitsGuard&) = delete;
  static bool active();

 private:
  bool prev_;
};

// token_logprobs(m.forward(ids, mask), labels) without the [B, T, V] logits: returns
// logp [B, T-1] (0 where masked) and mask [B, T-1], fp32, from the hidden states gathered at
// the loss positions only. With packing on (packing.h, the default) and a right-padded batch,
// the hidden states come from the packed rows (real tokens only). Otherwise (--no-packing):
// when the full logits would take at most lean_head_keep_bytes(), it is the plain full-logits
// path itself (bit-identical to the results before the lean head), else the padded batch's
// hidden states at the loss positions.
std::pair<torch::Tensor, torch::Tensor> lean_token_logprobs(CausalLM& m, const torch::Tensor& input_ids,
                                                            const torch::Tensor& attention_mask,
                                                            const torch::Tensor& labels, double temperature = 1.0);
// HF's mean cross-entropy over the loss positions (== causal_lm_loss(m.forward(..), labels)).
torch::Tensor lean_causal_lm_loss(CausalLM& m, const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                  const torch::Tensor& labels, double temperature = 1.0);

// The hidden states at a batch's loss positions (differentiable): h [n, D] (packed rows when a
// pack plan is active), k [n] the flat indices of those positions in [B·(T-1)], y [n] their
// labels. What label_logprobs takes, for callers that choose their own labels (SophiaG's
// sampled ŷ).
struct LossPositionStates {
  torch::Tensor h, k, y;
};
LossPositionStates loss_position_states(CausalLM& m, const torch::Tensor& input_ids,
                                        const torch::Tensor& attention_mask, const torch::Tensor& labels);

// Per-token scores of a batch for evaluation and selection, without gradients: the one place
// the per-row NLLs come from (selection's row statistics, the MIA's document NLLs, the holdout's
// token targets). Full logits when they take at most lean_head_keep_bytes() (bit-identical to
// batch_logits + token_logprobs), else chunks of lm_head_chunk_rows(V) rows of logits at the
// loss positions only, so a 7B model's [B, T, V] logits never exist at once.
struct TokenScores {
  torch::Tensor logp;     // [B, T-1] fp32: log p(label) at each loss position, 0 elsewhere
  torch::Tensor mask;     // [B, T-1] fp32: 1 at the loss positions
  torch::Tensor hit;      // [B, T-1] fp32: 1 where the argmax is the label (with_hits), else undefined
  torch::Tensor mu, var;  // [B, T-1] fp64: mean and variance of log p under the next-token
                          // distribution (Min-K%++, Zhang et al. 2024) (with_moments), else undefined
};
TokenScores token_scores(CausalLM& m, const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                         const torch::Tensor& labels, bool with_hits, bool with_moments);

}  // namespace libu::model
