// Llama-3 (Llama Team, "The Llama 3 Herd of Models", arXiv 2407.21783): the llama decoder
// (arch_llama.cpp) with grouped-query attention and, from Llama-3.1 on, rope_scaling of type
// "llama3", which stretches RoPE to a longer context than it was pre-trained on. With
// λ_i = 2π / inv_freq_i the wavelength of frequency i, L = original_max_position_embeddings,
// s = factor, l = low_freq_factor, h = high_freq_factor:
//   λ_i < L/h            (high frequencies):  kept,             inv_freq_i
//   λ_i > L/l            (low frequencies):   slowed,           inv_freq_i / s
//   otherwise, with μ = (L/λ_i − l) / (h − l):  (1 − μ)·inv_freq_i / s + μ·inv_freq_i
#include <cmath>

#include "libu/model/layers.h"

namespace libu::model {

torch::Tensor llama3_inv_freq(const torch::Tensor& inv_freq, const RopeScaling& s) {
  const double L = double(s.original_max_position_embeddings);
  const double low_wavelen = L / s.low_freq_factor, high_wavelen = L / s.high_freq_factor;
  auto wavelen = (2.0 * M_PI) / inv_freq;                                        // [d/2]
  auto mu = (L / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
  auto blended = (1.0 - mu) * inv_freq / s.factor + mu * inv_freq;
  auto out = torch::where(wavelen > low_wavelen, inv_freq / s.factor, inv_freq);
  auto medium = wavelen.ge(high_wavelen).logical_and(wavelen.le(low_wavelen));
  return torch::where(medium, blended, out);
}

}  // namespace libu::model
