// Qwen2 (Qwen Team, "Qwen2 Technical Report", arXiv 2407.10671, §2.1): the Llama decoder
// (arch_llama.cpp: pre-norm RMSNorm, SwiGLU, RoPE, grouped-query attention). What differs is
// all in config.json, read by config.cpp: a bias on the q, k and v projections only
// (ModelConfig::qkv_bias, added to the weight list by projection_weights), rope_theta (1e6 in
// released checkpoints), tied or untied embeddings, and sliding-window attention, which is
// refused because released checkpoints ship with use_sliding_window false.
#include "libu/model/architecture.h"

namespace libu::model {

std::unique_ptr<Architecture> make_qwen2() { return make_llama(); }

}  // namespace libu::model
