// libu/model/config.h — typed HF config.json for the supported decoders
// (README.md "Supported models").
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace libu::model {

enum class Arch { Olmo, Llama, Olmo2, Qwen2, NeoX };

// rope_scaling of type "llama3" (Llama-3.1/3.2): long wavelengths slowed by `factor`, short
// ones kept, a smooth blend between (arch_llama3.cpp).
struct RopeScaling {
  double factor = 8.0, low_freq_factor = 1.0, high_freq_factor = 4.0;
  int64_t original_max_position_embeddings = 8192;
};

struct ModelConfig {
  Arch arch = Arch::Olmo;
  std::string model_type = "olmo";
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_layers = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;
  int64_t head_dim = 0;  // hidden_size / num_heads unless given
  int64_t vocab_size = 0;
  int64_t max_position_embeddings = 2048;
  double rope_theta = 10000.0;
  std::optional<RopeScaling> rope_scaling;  // null / "default": none
  double norm_eps = 1e-5;              // rms_norm_eps (llama/olmo2); OLMo LayerNorm uses 1e-5
  std::optional<double> clip_qkv;      // OLMo only
  bool tie_word_embeddings = false;
  bool attention_bias = false;
  bool qkv_bias = false;               // Qwen2: bias on q/k/v only (not o)
  // GPT-NeoX / Pythia
  double rotary_pct = 1.0;             // share of each head's dims that RoPE rotates
  bool parallel_residual = false;      // x + attn(ln1(x)) + mlp(ln2(x)) instead of sequential
  std::string hidden_act = "silu";     // NeoX: gelu (exact) or gelu_new / gelu_fast (tanh)
  bool mlp_bias = false;
  std::optional<int64_t> pad_token_id, bos_token_id;
  std::vector<int64_t> eos_token_ids;  // eos_token_id may be an int or a list
  std::string torch_dtype = "float32";
  nlohmann::json raw;  // the original JSON, so export keeps unknown keys

  // Parses config.json text; `path` is used in error messages.
  static ModelConfig from_json(const nlohmann::json& j, const std::string& path);
  static ModelConfig from_file(const std::string& path);
  // The config as HF writes it (raw keys preserved, typed fields refreshed).
  nlohmann::json to_json() const;
  int64_t num_params() const;  // base parameter count
  int64_t rotary_dim() const;  // head_dim · rotary_pct, even
  // Checkpoint names, which differ per family ("model.embed_tokens.weight" / "gpt_neox.embed_in.weight").
  std::string embed_name() const;
  std::string head_name() const;                 // the untied LM head
  std::string layer_prefix(int64_t i) const;     // "model.layers.{i}." / "gpt_neox.layers.{i}."
};

const char* arch_name(Arch a);
// Supported model_type values, for error messages: "olmo, llama, olmo2".
std::string supported_model_types();

// Presets for `libu init --preset tiny|1b|7b` (OLMo-0724 shapes for 1b/7b).
ModelConfig preset_config(const std::string& arch, const std::string& preset, int64_t vocab_size);

}  // namespace libu::model
