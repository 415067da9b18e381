// libu/model/causal_lm.h — a decoder-only causal LM (OLMo, Llama, OLMo-2) with optional
// LoRA, KV cache and per-layer activation checkpointing. Base weights are frozen.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <torch/torch.h>

#include "libu/model/architecture.h"
#include "libu/model/config.h"
#include "libu/model/kv_cache.h"
#include "libu/model/lora.h"

namespace libu::model {

struct LoadOptions {
  std::optional<c10::ScalarType> dtype;  // compute dtype; default: the file's dtype
  c10::Device device = c10::kCPU;
};

class CausalLM {
 public:
  // Loads an HF folder (config.json + safetensors). Never writes to it.
  static std::shared_ptr<CausalLM> load(const std::string& dir, const LoadOptions& opt = {});
  // Builds from named tensors (already in the compute dtype and device).
  CausalLM(ModelConfig cfg, std::map<std::string, torch::Tensor> weights);

  const ModelConfig& config() const { return cfg_; }
  const Architecture& arch() const { return *arch_; }
  c10::ScalarType dtype() const { return dtype_; }
  c10::Device device() const { return device_; }
  const std::map<std::string, torch::Tensor>& weights() const { return weights_; }
  // Raises Error naming the first weight (or LoRA tensor) holding NaN or Inf, with how many: a
  // damaged checkpoint is reported at load, not as garbage generations later.
  void check_finite() const;
  const std::string& source_dir() const { return source_dir_; }

  // input_ids: [B, T] int64; attention_mask: [B, T] (1 = token; undefined = all ones);
  // position_ids: [B, T] (undefined = past..past+T-1). With a cache, the mask covers only
  // the new positions and the cache keeps the past ones. Returns logits [B, T, V] fp32
  // (or [B, 1, V] for the last position only when last_only).
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask = {},
                        const torch::Tensor& position_ids = {}, KVCache* cache = nullptr,
                        bool last_only = false);
  KVCache new_cache() const;
  // The final-normed hidden states [B, T, D] in the compute dtype (forward() without the LM
  // head), and the LM head weight [V, D] (the embedding when tied): forward() ==
  // linear(hidden_states(), head_weight()).to(fp32). For the lean LM head (lm_head.h).
  torch::Tensor hidden_states(const torch::Tensor& input_ids, const torch::Tensor& attention_mask = {},
                              const torch::Tensor& position_ids = {});
  const torch::Tensor& head_weight() const;
  // The residual stream after decoder layer `layer` (0-based) [B, T, D] in the compute dtype,
  // without the final norm; the layers after it are not run (RMU, unlearn/methods/rmu.cpp).
  torch::Tensor layer_output(const torch::Tensor& input_ids, const torch::Tensor& attention_mask, int64_t layer);
  // Packed rows (issue #12, packing.h): ids and positions [1, N] hold the rows' tokens
  // back to back, positions restarting at 0 per row; lengths are the rows' token counts
  // (sum N). Attention is block-diagonal causal, so each row sees only its own tokens, exactly
  // as in a padded batch. Returns the final-normed hidden states [1, N, D].
  torch::Tensor packed_hidden_states(const torch::Tensor& ids, const torch::Tensor& positions,
                                     std::vector<int64_t> lengths);

  // LoRA: PEFT init with A ~ Kaiming-uniform(a=sqrt 5) from `seed`, B = 0.
  void add_lora(const LoraConfig& cfg, uint64_t seed);
  LoraAdapter* lora() { return lora_ ? lora_.get() : nullptr; }
  const LoraAdapter* lora() const { return lora_ ? lora_.get() : nullptr; }
  // Disabled adapter = the reference model (used by NPO and KL).
  void set_lora_enabled(bool on) { lora_enabled_ = on; }
  bool lora_enabled() const { return lora_enabled_; }
  // Training mode turns LoRA dropout on.
  void set_training(bool on) { training_ = on; }
  bool training() const { return training_; }
  void set_checkpointing(bool on) { checkpointing_ = on; }
  // Full fine-tuning: every base weight becomes an fp32 trainable leaf (an owned copy, so
  // the input files are never touched). Requires fp32 compute.
  void enable_full_training();
  bool full_training() const { return full_training_; }
  // What the optimizer updates: the LoRA tensors (PEFT keys), or every weight (HF names)
  // under full fine-tuning.
  std::vector<std::pair<std::string, torch::Tensor>> trainable() const;

  // W + (alpha/r) B A for every LoRA module, in `out_dtype`; other weights as stored.
  std::map<std::string, torch::Tensor> merged_weights(c10::ScalarType out_dtype) const;
  // One tensor of merged_weights(), computed alone (the streaming export).
  torch::Tensor merged_weight(const std::string& name, c10::ScalarType out_dtype) const;

 private:
  friend std::shared_ptr<CausalLM> load_impl(const std::string&, const LoadOptions&);
  torch::Tensor trunk(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                      const torch::Tensor& position_ids, KVCache* cache, bool last_only,
                      std::shared_ptr<const std::vector<int64_t>> segments = nullptr, int64_t stop_after = -1);
  torch::Tensor layer(int64_t i, const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                      const torch::Tensor& mask, KVSlot* slot, const std::vector<int64_t>* segments);
  torch::Tensor linear(const torch::Tensor& x, const std::string& module) const;
  const torch::Tensor& weight(const std::string& name) const;

  ModelConfig cfg_;
  std::unique_ptr<Architecture> arch_;
  std::map<std::string, torch::Tensor> weights_;
  std::unique_ptr<LoraAdapter> lora_;
  bool lora_enabled_ = true, training_ = false, checkpointing_ = false, full_training_ = false;
  c10::ScalarType dtype_ = torch::kFloat;
  c10::Device device_ = c10::kCPU;
  std::string source_dir_;
  std::shared_ptr<void> keepalive_;  // mmap'ed files backing zero-copy weights
};

}  // namespace libu::model
