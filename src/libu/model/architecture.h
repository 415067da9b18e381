// libu/model/architecture.h — what differs between decoders (one file per architecture:
// arch_olmo.cpp, arch_llama.cpp, arch_olmo2.cpp, arch_qwen2.cpp, arch_neox.cpp; arch_llama3.cpp holds
// Llama-3's RoPE scaling, the one way it differs from llama). The shared pieces (norms, RoPE,
// attention, SwiGLU) live in layers.h. README.md "Supported models"; docs/data.md (model folders).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "libu/model/config.h"

namespace libu::model {

struct KVSlot;

// One tensor of the model: its HF name and shape. The same list drives load, save,
// merge and init (gemma.cpp style).
struct WeightSpec {
  std::string name;
  std::vector<int64_t> shape;
  enum Init { Normal, Ones, Zeros } init = Normal;
};

// Everything a decoder layer needs at forward time.
struct LayerInputs {
  const ModelConfig& cfg;
  int64_t layer;
  const torch::Tensor& cos;   // [B, T, head_dim] in compute dtype
  const torch::Tensor& sin;   // [B, T, head_dim]
  const torch::Tensor& mask;  // [B, 1, T, T_past + T] additive (0 or finfo.min)
  KVSlot* cache;              // nullptr when not caching
  // weight("input_layernorm.weight") -> this layer's tensor.
  std::function<const torch::Tensor&(const std::string&)> weight;
  // linear(x, "self_attn.q_proj") -> x W^T (+ b) (+ LoRA when enabled).
  std::function<torch::Tensor(const torch::Tensor&, const std::string&)> linear;
  // Packed rows (issue #12, model/packing.h): x is [1, N, D], the rows' token counts in order
  // (sum N); attention is block-diagonal causal, computed per row, and `mask` is then the
  // causal mask [Lmax, Lmax] (additive, compute dtype) of the longest row. nullptr = padded batch.
  const std::vector<int64_t>* segments = nullptr;
};

class Architecture {
 public:
  virtual ~Architecture() = default;
  // The weights of layer i, named relative to "model.layers.{i}.".
  virtual std::vector<WeightSpec> layer_weights(const ModelConfig& c) const = 0;
  // Non-layer weights besides embed_tokens and lm_head (e.g. "model.norm.weight").
  virtual std::vector<WeightSpec> extra_weights(const ModelConfig& c) const = 0;
  // x: [B, T, D] -> [B, T, D]
  virtual torch::Tensor layer_forward(const LayerInputs& in, const torch::Tensor& x) const = 0;
  // Final norm before lm_head. x: [B, T, D]
  virtual torch::Tensor final_norm(const ModelConfig& c,
                                   const std::function<const torch::Tensor&(const std::string&)>& w,
                                   const torch::Tensor& x) const = 0;
};

std::unique_ptr<Architecture> make_olmo();
std::unique_ptr<Architecture> make_llama();
std::unique_ptr<Architecture> make_olmo2();
std::unique_ptr<Architecture> make_qwen2();
std::unique_ptr<Architecture> make_neox();
std::unique_ptr<Architecture> make_architecture(Arch a);

// Full weight list of a model (embed, layers, extras, lm_head unless tied).
std::vector<WeightSpec> all_weights(const ModelConfig& c, const Architecture& a);

}  // namespace libu::model
