#include "libu/model/config.h"

#include <algorithm>
#include <cmath>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/io/jsonl.h"

namespace libu::model {

using nlohmann::json;

const char* arch_name(Arch a) {
  switch (a) {
    case Arch::Olmo: return "olmo";
    case Arch::Llama: return "llama";
    case Arch::Olmo2: return "olmo2";
    case Arch::Qwen2: return "qwen2";
    case Arch::NeoX: return "gpt_neox";
  }
  return "?";
}

std::string supported_model_types() {
  return "olmo, llama (incl. Llama-3 rope_scaling), olmo2, qwen2, gpt_neox (Pythia)";
}

int64_t ModelConfig::rotary_dim() const { return (int64_t(double(head_dim) * rotary_pct) / 2) * 2; }
std::string ModelConfig::embed_name() const {
  return arch == Arch::NeoX ? "gpt_neox.embed_in.weight" : "model.embed_tokens.weight";
}
std::string ModelConfig::head_name() const { return arch == Arch::NeoX ? "embed_out.weight" : "lm_head.weight"; }
std::string ModelConfig::layer_prefix(int64_t i) const {
  return cat(arch == Arch::NeoX ? "gpt_neox.layers." : "model.layers.", i, ".");
}

namespace {

template <typename T>
T get_req(const json& j, const char* key, const std::string& path) {
  if (!j.contains(key) || j[key].is_null())
    fail(cat(path, ": missing field '", key, "'"), "config.json must come from a HF model folder");
  try {
    return j[key].get<T>();
  } catch (const json::exception&) {
    fail(cat(path, ": field '", key, "' has the wrong type (", j[key].dump(), ")"));
  }
}

std::optional<int64_t> get_opt_id(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  if (j[key].is_array()) return j[key].empty() ? std::nullopt : std::optional<int64_t>(j[key][0].get<int64_t>());
  return j[key].get<int64_t>();
}

}  // namespace

static ModelConfig parse_config(const json& j, const std::string& path);

// The sizes the model allocates from: positive, within what a real checkpoint uses (so no
// product overflows), and an even rotary width (rotary embeddings turn pairs of channels).
static void check_sizes(const ModelConfig& c, const std::string& path) {
  auto in_range = [&](const char* key, int64_t v, int64_t max) {
    if (v <= 0 || v > max)
      fail(cat(path, ": ", key, " is ", v), cat("it must be a positive integer up to ", max, "; compare config.json "
                                                "with the model's original one"));
  };
  in_range("hidden_size", c.hidden_size, int64_t(1) << 20);
  in_range("intermediate_size", c.intermediate_size, int64_t(1) << 22);
  in_range("num_hidden_layers", c.num_layers, int64_t(1) << 12);
  in_range("vocab_size", c.vocab_size, int64_t(1) << 24);
  in_range("head_dim", c.head_dim, int64_t(1) << 16);
  in_range("max_position_embeddings", c.max_position_embeddings, int64_t(1) << 24);
  if (c.rotary_dim() < 2 || (c.arch != Arch::NeoX && c.head_dim % 2 != 0))
    fail(cat(path, ": head_dim ", c.head_dim, " leaves a rotary width of ", c.rotary_dim()),
         "rotary embeddings need an even head_dim (and rotary_pct · head_dim >= 2)");
  if (!(c.rope_theta > 0) || !std::isfinite(c.rope_theta))
    fail(cat(path, ": rope_theta is ", c.rope_theta), "the rotary base is a positive number, e.g. 10000");
  if (!(c.norm_eps >= 0) || !std::isfinite(c.norm_eps))
    fail(cat(path, ": the norm epsilon is ", c.norm_eps), "rms_norm_eps / layer_norm_eps is a small positive number");
  if (c.clip_qkv && !(*c.clip_qkv > 0)) fail(cat(path, ": clip_qkv is ", *c.clip_qkv), "use a positive number or null");
}

// GPT-NeoX / Pythia keys: rotary_pct, rotary_emb_base, layer_norm_eps, use_parallel_residual.
static void parse_neox(const json& j, const std::string& path, ModelConfig& c) {
  static const char* acts[] = {"gelu", "gelu_new", "gelu_fast", "gelu_pytorch_tanh"};
  if (std::find(std::begin(acts), std::end(acts), c.hidden_act) == std::end(acts))
    fail(cat(path, ": hidden_act '", c.hidden_act, "' is not supported for gpt_neox"),
         "supported: gelu, gelu_new, gelu_fast, gelu_pytorch_tanh");
  if (c.num_kv_heads != c.num_heads) fail(cat(path, ": gpt_neox has no grouped-query attention"));
  c.rope_theta = j.value("rotary_emb_base", j.value("rope_theta", 10000.0));
  c.rotary_pct = j.value("rotary_pct", 0.25);
  if (!(c.rotary_pct > 0 && c.rotary_pct <= 1)) fail(cat(path, ": rotary_pct ", c.rotary_pct, " is outside (0, 1]"));
  c.norm_eps = j.value("layer_norm_eps", 1e-5);
  c.parallel_residual = j.value("use_parallel_residual", true);
  if (!j.value("attention_bias", true))
    fail(cat(path, ": attention_bias false is not supported for gpt_neox"), "Pythia checkpoints use biases");
  c.attention_bias = true;
}

// rope_scaling: null, {"rope_type": "default"} or {"rope_type": "llama3", "factor",
// "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"} (older configs
// say "type").
static std::optional<RopeScaling> parse_rope_scaling(const json& j, const std::string& path) {
  if (!j.contains("rope_scaling") || j["rope_scaling"].is_null()) return std::nullopt;
  const json& r = j["rope_scaling"];
  if (!r.is_object()) fail(cat(path, ": rope_scaling must be an object or null, got ", r.dump()));
  std::string type = r.contains("rope_type") ? r["rope_type"].get<std::string>() : r.value("type", "");
  if (type == "default") return std::nullopt;
  if (type != "llama3")
    fail(cat(path, ": rope_scaling.rope_type '", type, "' is not supported"),
         "supported rope_scaling types: llama3 (or null / default)");
  auto field = [&](const char* k) {
    if (!r.contains(k) || !r[k].is_number())
      fail(cat(path, ": rope_scaling.", k, " is missing or not a number"), "a llama3 rope_scaling needs factor, "
           "low_freq_factor, high_freq_factor and original_max_position_embeddings");
    return r[k].get<double>();
  };
  RopeScaling s;
  s.factor = field("factor");
  s.low_freq_factor = field("low_freq_factor");
  s.high_freq_factor = field("high_freq_factor");
  const double original = field("original_max_position_embeddings");
  if (!(original > 0 && original <= double(int64_t(1) << 24)))
    fail(cat(path, ": rope_scaling.original_max_position_embeddings is ", original), "use the pre-scaling context, e.g. 8192");
  s.original_max_position_embeddings = int64_t(original);
  if (!std::isfinite(s.factor) || !std::isfinite(s.high_freq_factor) || !(s.low_freq_factor > 0) ||
      !(s.factor >= 1) || !(s.high_freq_factor > s.low_freq_factor) || s.original_max_position_embeddings <= 0)
    fail(cat(path, ": rope_scaling ", r.dump(), " is inconsistent"),
         "need factor >= 1, high_freq_factor > low_freq_factor and original_max_position_embeddings > 0");
  return s;
}

ModelConfig ModelConfig::from_json(const json& j, const std::string& path) {
  if (!j.is_object()) fail(path + ": config must be a JSON object");
  try {
    return parse_config(j, path);
  } catch (const json::exception& e) {  // a field of the wrong type (e.g. "rope_theta": "x")
    fail(cat(path, ": a field has the wrong type: ", e.what()), "compare config.json with the model's original one");
  }
}

static ModelConfig parse_config(const json& j, const std::string& path) {
  ModelConfig c;
  c.raw = j;
  c.model_type = j.value("model_type", "");
  if (c.model_type == "olmo") c.arch = Arch::Olmo;
  else if (c.model_type == "llama") c.arch = Arch::Llama;
  else if (c.model_type == "olmo2") c.arch = Arch::Olmo2;
  else if (c.model_type == "qwen2") c.arch = Arch::Qwen2;
  else if (c.model_type == "gpt_neox") c.arch = Arch::NeoX;
  else
    fail(cat(path, ": unsupported model_type '", c.model_type, "'"),
         "supported model types are: " + supported_model_types());
  c.hidden_size = get_req<int64_t>(j, "hidden_size", path);
  c.intermediate_size = get_req<int64_t>(j, "intermediate_size", path);
  c.num_layers = get_req<int64_t>(j, "num_hidden_layers", path);
  c.num_heads = get_req<int64_t>(j, "num_attention_heads", path);
  c.vocab_size = get_req<int64_t>(j, "vocab_size", path);
  c.num_kv_heads = j.contains("num_key_value_heads") && !j["num_key_value_heads"].is_null()
                       ? j["num_key_value_heads"].get<int64_t>() : c.num_heads;
  if (c.num_heads <= 0 || c.hidden_size % c.num_heads != 0)
    fail(cat(path, ": hidden_size ", c.hidden_size, " is not divisible by num_attention_heads ", c.num_heads));
  if (c.num_kv_heads <= 0 || c.num_heads % c.num_kv_heads != 0)
    fail(cat(path, ": num_attention_heads ", c.num_heads, " is not a multiple of num_key_value_heads ",
             c.num_kv_heads));
  c.head_dim = j.contains("head_dim") && !j["head_dim"].is_null() ? j["head_dim"].get<int64_t>()
                                                                   : c.hidden_size / c.num_heads;
  c.max_position_embeddings = j.value("max_position_embeddings", int64_t(2048));
  c.rope_theta = j.value("rope_theta", 10000.0);
  c.rope_scaling = parse_rope_scaling(j, path);
  if (c.arch == Arch::Qwen2 && j.value("use_sliding_window", false))
    fail(cat(path, ": use_sliding_window is true"), "sliding-window attention is not supported; set it to false "
                                                    "(Qwen2 checkpoints ship with false)");
  c.norm_eps = c.arch == Arch::Olmo ? 1e-5 : j.value("rms_norm_eps", 1e-6);
  if (c.arch == Arch::Olmo && j.contains("clip_qkv") && !j["clip_qkv"].is_null())
    c.clip_qkv = j["clip_qkv"].get<double>();
  c.tie_word_embeddings = j.value("tie_word_embeddings", false);
  c.attention_bias = j.value("attention_bias", false);
  c.qkv_bias = c.arch == Arch::Qwen2;  // Qwen2 always has q/k/v biases
  c.mlp_bias = j.value("mlp_bias", false);
  c.pad_token_id = get_opt_id(j, "pad_token_id");
  c.bos_token_id = get_opt_id(j, "bos_token_id");
  if (j.contains("eos_token_id") && !j["eos_token_id"].is_null()) {
    if (j["eos_token_id"].is_array())
      for (auto& e : j["eos_token_id"]) c.eos_token_ids.push_back(e.get<int64_t>());
    else
      c.eos_token_ids.push_back(j["eos_token_id"].get<int64_t>());
  }
  c.torch_dtype = j.value("torch_dtype", "float32");
  c.hidden_act = j.value("hidden_act", c.arch == Arch::NeoX ? "gelu" : "silu");
  if (c.arch == Arch::NeoX) {
    parse_neox(j, path, c);
  } else if (c.hidden_act != "silu") {
    fail(cat(path, ": hidden_act '", c.hidden_act, "' is not supported for ", c.model_type), "only silu (SwiGLU) is");
  }
  check_sizes(c, path);
  return c;
}

ModelConfig ModelConfig::from_file(const std::string& path) {
  return from_json(io::read_json_file(path, "config.json must be a valid HF model config"), path);
}

json ModelConfig::to_json() const {
  json j = raw.is_object() ? raw : json::object();
  j["model_type"] = arch_name(arch);
  const char* archs[] = {"OlmoForCausalLM", "LlamaForCausalLM", "Olmo2ForCausalLM", "Qwen2ForCausalLM",
                         "GPTNeoXForCausalLM"};
  j["architectures"] = {archs[int(arch)]};
  j["hidden_size"] = hidden_size;
  j["intermediate_size"] = intermediate_size;
  j["num_hidden_layers"] = num_layers;
  j["num_attention_heads"] = num_heads;
  j["num_key_value_heads"] = num_kv_heads;
  if (head_dim != hidden_size / num_heads) j["head_dim"] = head_dim;
  j["vocab_size"] = vocab_size;
  j["max_position_embeddings"] = max_position_embeddings;
  j["rope_theta"] = rope_theta;
  if (arch != Arch::Olmo && arch != Arch::NeoX) j["rms_norm_eps"] = norm_eps;
  if (arch == Arch::NeoX) {
    j["rotary_pct"] = rotary_pct;
    j["rotary_emb_base"] = rope_theta;
    j["layer_norm_eps"] = norm_eps;
    j["use_parallel_residual"] = parallel_residual;
  }
  if (arch == Arch::Olmo) j["clip_qkv"] = clip_qkv ? json(*clip_qkv) : json(nullptr);
  j["tie_word_embeddings"] = tie_word_embeddings;
  if (arch != Arch::Qwen2) j["attention_bias"] = attention_bias;
  if (rope_scaling)
    j["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", rope_scaling->factor},
                         {"low_freq_factor", rope_scaling->low_freq_factor},
                         {"high_freq_factor", rope_scaling->high_freq_factor},
                         {"original_max_position_embeddings", rope_scaling->original_max_position_embeddings}};
  if (arch == Arch::Llama) j["mlp_bias"] = mlp_bias;
  j["hidden_act"] = hidden_act;
  if (pad_token_id) j["pad_token_id"] = *pad_token_id;
  if (bos_token_id) j["bos_token_id"] = *bos_token_id;
  if (eos_token_ids.size() == 1) j["eos_token_id"] = eos_token_ids[0];
  else if (!eos_token_ids.empty()) j["eos_token_id"] = eos_token_ids;
  j["torch_dtype"] = torch_dtype;
  return j;
}

int64_t ModelConfig::num_params() const {
  int64_t d = hidden_size, q = num_heads * head_dim, kv = num_kv_heads * head_dim, f = intermediate_size;
  if (arch == Arch::NeoX)  // qkv, dense, two MLP matrices, all with biases; two LayerNorms (w, b)
    return num_layers * (3 * d * d + 3 * d + d * d + d + 2 * d * f + f + d + 4 * d) + 2 * d +
           vocab_size * d * (tie_word_embeddings ? 1 : 2);
  int64_t per_layer = d * q + 2 * d * kv + q * d + 3 * d * f;
  if (arch == Arch::Llama || arch == Arch::Qwen2) per_layer += 2 * d;
  if (qkv_bias) per_layer += q + 2 * kv;
  if (arch == Arch::Olmo2) per_layer += q + kv + 2 * d;
  int64_t emb = vocab_size * d * (tie_word_embeddings ? 1 : 2);
  int64_t final_norm = arch == Arch::Olmo ? 0 : d;
  return num_layers * per_layer + emb + final_norm;
}

ModelConfig preset_config(const std::string& arch, const std::string& preset, int64_t vocab_size) {
  json j;
  j["model_type"] = arch == "llama3" ? "llama" : arch == "neox" ? "gpt_neox" : arch;
  if (preset == "tiny") {
    j.update({{"hidden_size", 128}, {"intermediate_size", 352}, {"num_hidden_layers", 4},
              {"num_attention_heads", 4}, {"vocab_size", 2048}, {"max_position_embeddings", 1024},
              {"tie_word_embeddings", true}});
  } else if (preset == "1b") {  // OLMo-1B-0724-hf
    j.update({{"hidden_size", 2048}, {"intermediate_size", 8192}, {"num_hidden_layers", 16},
              {"num_attention_heads", 16}, {"vocab_size", 50304}, {"max_position_embeddings", 4096},
              {"tie_word_embeddings", true}});
  } else if (preset == "7b") {  // OLMo-7B-0724
    j.update({{"hidden_size", 4096}, {"intermediate_size", 11008}, {"num_hidden_layers", 32},
              {"num_attention_heads", 32}, {"vocab_size", 50304}, {"max_position_embeddings", 4096},
              {"tie_word_embeddings", false}});
  } else {
    fail(cat("unknown preset '", preset, "'"), "use tiny, 1b or 7b");
  }
  if (vocab_size > 0) j["vocab_size"] = vocab_size;
  j["num_key_value_heads"] = j["num_attention_heads"];
  j["rope_theta"] = arch == "olmo" ? 10000.0 : arch == "qwen2" ? 1000000.0 : 500000.0;
  if (arch == "llama3" || arch == "qwen2")  // grouped-query attention: 2 query heads per KV head
    j["num_key_value_heads"] = j["num_attention_heads"].get<int64_t>() / 2;
  if (arch == "llama3")  // Llama-3.1's scaling, with the original context a quarter of the preset's
    j["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0},
                         {"high_freq_factor", 4.0},
                         {"original_max_position_embeddings", j["max_position_embeddings"].get<int64_t>() / 4}};
  j["attention_bias"] = false;
  j["rms_norm_eps"] = arch == "olmo2" ? 1e-6 : 1e-5;
  j["pad_token_id"] = 1;
  j["eos_token_id"] = 0;
  j["hidden_act"] = "silu";
  j["torch_dtype"] = "float32";
  if (arch == "neox") {  // Pythia's shape rules: 4x MLP, a quarter of each head rotated, parallel residual
    j["intermediate_size"] = 4 * j["hidden_size"].get<int64_t>();
    j.update({{"hidden_act", "gelu"}, {"rotary_pct", 0.25}, {"rotary_emb_base", 10000.0}, {"layer_norm_eps", 1e-5},
              {"use_parallel_residual", true}, {"tie_word_embeddings", false}, {"attention_bias", true}});
  }
  return ModelConfig::from_json(j, "preset " + preset);
}

}  // namespace libu::model
