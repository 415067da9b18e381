// libu/eval/attacks/quantize.h — the quantisation attack (Zhang et al. 2024, "Does your LLM
// truly unlearn? An embarrassingly simple approach to recover unlearned knowledge",
// arXiv 2410.16454): unlearning with a small learning rate moves weights by less than one
// quantisation step, so rounding the unlearned model to 4 bits can land it back on the
// original. We round-trip the merged weights through symmetric round-to-nearest (RTN)
// integer codes and re-run the official metrics.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include <torch/torch.h>

namespace libu::eval::attacks {

// Symmetric per-group round trip of a weight w: [out, in] (any float dtype). The input
// dimension is cut into groups of `group` consecutive columns (the last group may be
// shorter); per (row, group) the fp32 scale is s = max|w| / qmax with qmax = 2^(bits−1) − 1
// (127 for int8, 7 for int4), the code is q = clamp(round(w / s), −qmax, qmax), and the result
// q·s is returned in w's dtype. |w − q·s| ≤ s/2 per element before the final dtype cast.
// An all-zero group stays zero. bits in [2, 16], group ≥ 1.
torch::Tensor quantize_roundtrip(const torch::Tensor& w, int bits, int64_t group);
// The per-(row, group) fp32 scales of the same quantiser: [out, ceil(in / group)].
torch::Tensor quantize_scales(const torch::Tensor& w, int bits, int64_t group);

// Is this weight quantised? The 2-D weights of the decoder blocks (attention and MLP
// projections, names containing ".layers."). Embeddings, the LM head and norms keep full
// precision, as weight-only 4-bit schemes (bitsandbytes, GPTQ, AWQ) do by default.
bool quantized_weight(const std::string& name, const torch::Tensor& w);

// Every quantized_weight() of `weights` round-tripped; the others shared as they are.
// `count` (optional) receives the number of tensors quantised.
std::map<std::string, torch::Tensor> quantize_weights(const std::map<std::string, torch::Tensor>& weights, int bits,
                                                      int64_t group, int64_t* count = nullptr);

// Why rounding does or does not undo an update (Zhang et al.'s mechanism): for the weights that
// an update changed (base W0 → W1, both [out, in]), each quantised with its own scales,
//   codes_changed   = the share of elements whose integer code differs between W0 and W1
//                     (0: the quantised unlearned model IS the quantised original),
//   update_in_steps = mean |W1 − W0| / s1, the update in units of W1's quantisation step.
// Weights equal in both maps, or not quantized_weight(), are skipped.
struct UpdateVsGrid {
  double codes_changed = 0, update_in_steps = 0;
  int64_t tensors = 0, elements = 0;
};
UpdateVsGrid update_against_grid(const std::map<std::string, torch::Tensor>& base,
                                 const std::map<std::string, torch::Tensor>& updated, int bits, int64_t group);

}  // namespace libu::eval::attacks
