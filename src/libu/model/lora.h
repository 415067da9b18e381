// libu/model/lora.h — LoRA adapters with PEFT semantics (Hu et al. 2022; docs/unlearning.md):
//   y = W x + (alpha / r) * B (A dropout(x)),  A: [r, in] Kaiming-uniform(a=sqrt 5), B: [out, r] = 0.
// A and B are fp32 master weights (leaf tensors, requires_grad); the forward casts them to
// the compute dtype, so gradients land on the fp32 masters.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "libu/model/lora_config.h"

namespace libu::model {

struct LoraPair {
  torch::Tensor A;  // [r, in]  fp32
  torch::Tensor B;  // [out, r] fp32
};

class LoraAdapter {
 public:
  LoraConfig cfg;
  // Keyed by HF module path, e.g. "model.layers.0.self_attn.q_proj".
  std::map<std::string, LoraPair> modules;

  // "base_model.model.<module>.lora_A.weight" (PEFT key names).
  static std::string peft_key(const std::string& module, char which);
  // (PEFT key, tensor) for every A and B, in sorted module order.
  std::vector<std::pair<std::string, torch::Tensor>> named_parameters() const;
  std::vector<torch::Tensor> parameters() const;
  int64_t num_parameters() const;
  // Deep copy of the values (for rollback / best checkpoint).
  std::map<std::string, torch::Tensor> snapshot() const;
  void restore(const std::map<std::string, torch::Tensor>& snap);
};

// Does a module's short name ("q_proj") match the target list?
bool lora_targets(const LoraConfig& c, const std::string& short_name);

}  // namespace libu::model
