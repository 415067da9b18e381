#include "libu/model/causal_lm.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "libu/core/error.h"
#include "libu/model/checkpoint.h"
#include "libu/model/layers.h"

namespace libu::model {

CausalLM::CausalLM(ModelConfig cfg, std::map<std::string, torch::Tensor> weights)
    : cfg_(std::move(cfg)), arch_(make_architecture(cfg_.arch)), weights_(std::move(weights)) {
  auto it = weights_.find(cfg_.embed_name());
  if (it == weights_.end()) fail_internal("CausalLM built without " + cfg_.embed_name());
  dtype_ = it->second.scalar_type();
  device_ = it->second.device();
}

const torch::Tensor& CausalLM::weight(const std::string& name) const {
  auto it = weights_.find(name);
  if (it == weights_.end()) fail_internal("missing weight " + name);
  return it->second;
}

torch::Tensor CausalLM::linear(const torch::Tensor& x, const std::string& module) const {
  const auto& w = weight(module + ".weight");
  auto b_it = weights_.find(module + ".bias");
  auto y = torch::linear(x, w, b_it == weights_.end() ? torch::Tensor() : b_it->second);
  if (lora_ && lora_enabled_) {
    auto it = lora_->modules.find(module);
    if (it != lora_->modules.end()) {
      // (alpha/r) * B (A dropout(x))   [.., in] -> [.., r] -> [.., out]
      auto xd = lora_->cfg.dropout > 0 && training_ ? torch::dropout(x, lora_->cfg.dropout, true) : x;
      auto a = torch::linear(xd, it->second.A.to(x.scalar_type()));
      y = y + torch::linear(a, it->second.B.to(x.scalar_type())) * lora_->cfg.scale();
    }
  }
  return y;
}

torch::Tensor CausalLM::layer(int64_t i, const torch::Tensor& x, const torch::Tensor& cos,
                              const torch::Tensor& sin, const torch::Tensor& mask, KVSlot* slot,
                              const std::vector<int64_t>* segments) {
  std::string prefix = cfg_.layer_prefix(i);
  LayerInputs in{cfg_, i, cos, sin, mask, slot,
                 [this, prefix](const std::string& n) -> const torch::Tensor& { return weight(prefix + n); },
                 [this, prefix](const torch::Tensor& t, const std::string& m) { return linear(t, prefix + m); },
                 segments};
  return arch_->layer_forward(in, x);
}

KVCache CausalLM::new_cache() const {
  KVCache c;
  c.layers.resize(size_t(cfg_.num_layers));
  return c;
}

void CausalLM::check_finite() const {
  torch::NoGradGuard ng;
  auto check = [&](const std::string& name, const torch::Tensor& t) {
    const int64_t bad = t.numel() - torch::isfinite(t).sum().item<int64_t>();
    if (bad == 0) return;
    fail(cat(source_dir_, ": weight '", name, "' holds ", bad, " NaN/Inf value(s) of ", t.numel()),
         "the checkpoint is damaged (or was saved after a diverged run); re-export or re-download it");
  };
  for (auto& [name, t] : weights_) check(name, t);
  if (lora_)  // an adapter loaded from disk; full training's tensors are the weights above
    for (auto& [name, t] : trainable()) check(name, t);
}

const torch::Tensor& CausalLM::head_weight() const {
  return weight(cfg_.tie_word_embeddings ? cfg_.embed_name() : cfg_.head_name());  // [V, D]
}

torch::Tensor CausalLM::forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                const torch::Tensor& position_ids, KVCache* cache, bool last_only) {
  auto x = trunk(input_ids, attention_mask, position_ids, cache, last_only);  // [B, T, D]
  return torch::linear(x, head_weight()).to(torch::kFloat);                   // [B, T, V]
}

torch::Tensor CausalLM::hidden_states(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                      const torch::Tensor& position_ids) {
  return trunk(input_ids, attention_mask, position_ids, nullptr, false);
}

torch::Tensor CausalLM::layer_output(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                     int64_t layer) {
  if (layer < 0 || layer >= cfg_.num_layers)
    fail(cat("layer ", layer, " does not exist"), cat("choose a layer from 0 to ", cfg_.num_layers - 1));
  return trunk(input_ids, attention_mask, {}, nullptr, false, nullptr, layer);
}

torch::Tensor CausalLM::packed_hidden_states(const torch::Tensor& ids, const torch::Tensor& positions,
                                             std::vector<int64_t> lengths) {
  int64_t n = 0;
  for (int64_t l : lengths) {
    if (l <= 0) fail_internal("packed_hidden_states: empty row");
    n += l;
  }
  if (ids.dim() != 2 || ids.size(0) != 1 || ids.size(1) != n || positions.sizes() != ids.sizes())
    fail_internal("packed_hidden_states: ids/positions must be [1, sum(lengths)]");
  auto segs = std::make_shared<const std::vector<int64_t>>(std::move(lengths));
  return trunk(ids, {}, positions, nullptr, false, segs);
}

torch::Tensor CausalLM::trunk(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                              const torch::Tensor& position_ids, KVCache* cache, bool last_only,
                              std::shared_ptr<const std::vector<int64_t>> segments, int64_t stop_after) {
  int64_t B = input_ids.size(0), T = input_ids.size(1);
  auto ids = input_ids.to(device_);
  int64_t past = cache ? cache->length() : 0;
  auto long_opts = torch::TensorOptions().dtype(torch::kLong).device(device_);
  torch::Tensor mask = attention_mask.defined() ? attention_mask.to(device_).to(torch::kLong)
                                                : torch::ones({B, T}, long_opts);
  torch::Tensor key_mask = mask;
  if (cache) {
    if (cache->key_mask.defined()) key_mask = torch::cat({cache->key_mask, mask}, 1);
    cache->key_mask = key_mask;
  }
  torch::Tensor pos = position_ids.defined() ? position_ids.to(device_)
                                             : torch::arange(past, past + T, long_opts).unsqueeze(0).expand({B, T});
  auto [cos, sin] = rope_tables(pos, cfg_.rotary_dim(), cfg_.rope_theta, dtype_,
                                cfg_.rope_scaling ? &*cfg_.rope_scaling : nullptr);  // [B, T, d]
  // Padded batch: [B, 1, T, Tk]; packed rows: the causal mask [Lmax, Lmax] of the longest row.
  auto attn_mask = segments ? causal_mask(*std::max_element(segments->begin(), segments->end()), dtype_, device_)
                            : build_attention_mask(key_mask, T, dtype_);
  const auto& emb = weight(cfg_.embed_name());                                // [V, D]
  auto x = emb.index_select(0, ids.reshape({-1})).view({B, T, cfg_.hidden_size});  // [B, T, D]
  const int64_t n_layers = stop_after >= 0 ? stop_after + 1 : cfg_.num_layers;
  for (int64_t i = 0; i < n_layers; ++i) {
    KVSlot* slot = cache ? &cache->layers[size_t(i)] : nullptr;
    if (checkpointing_ && !cache && torch::GradMode::is_enabled()) {
      if (lora_ && lora_->cfg.dropout > 0 && training_ && !device_.is_cpu())
        fail("activation checkpointing with LoRA dropout is only reproducible on CPU",
             "set --lora-dropout 0 or turn off --checkpointing");
      std::vector<torch::Tensor> params;
      if (lora_ && lora_enabled_) {
        std::string prefix = cfg_.layer_prefix(i);
        for (auto& [m, p] : lora_->modules)
          if (m.compare(0, prefix.size(), prefix) == 0) params.insert(params.end(), {p.A, p.B});
      }
      auto c = cos, s = sin, am = attn_mask;  // owned copies for recomputation (segments: shared)
      x = checkpointed(
          [this, i, c, s, am, segments](const torch::Tensor& h) { return layer(i, h, c, s, am, nullptr, segments.get()); },
          x, params);
    } else {
      x = layer(i, x, cos, sin, attn_mask, slot, segments.get());
    }
  }
  if (stop_after >= 0) return x;  // layer_output: the residual stream, no final norm
  if (last_only) x = x.narrow(1, T - 1, 1);
  return arch_->final_norm(cfg_, [this](const std::string& n) -> const torch::Tensor& { return weight(n); }, x);
}

namespace {
// GPT-NeoX names its projections differently; the Llama-style names most users pass (and the
// CLI default q/k/v/o) map onto NeoX's: q/k/v -> the fused query_key_value, o -> dense,
// gate/up -> dense_h_to_4h, down -> dense_4h_to_h. The adapter records the NeoX names (PEFT's).
LoraConfig family_targets(const ModelConfig& c, LoraConfig lc) {
  if (c.arch != Arch::NeoX) return lc;
  static const std::map<std::string, std::string> to_neox = {
      {"q_proj", "query_key_value"}, {"k_proj", "query_key_value"}, {"v_proj", "query_key_value"},
      {"o_proj", "dense"}, {"gate_proj", "dense_h_to_4h"}, {"up_proj", "dense_h_to_4h"}, {"down_proj", "dense_4h_to_h"}};
  std::vector<std::string> out;
  for (auto& t : lc.targets) {
    std::string n = to_neox.count(t) ? to_neox.at(t) : t;
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  lc.targets = out;
  return lc;
}
}  // namespace

void CausalLM::add_lora(const LoraConfig& lc_in, uint64_t seed) {
  const LoraConfig lc = family_targets(cfg_, lc_in);
  if (lc.r <= 0) fail(cat("LoRA rank must be positive, got ", lc.r), "set --lora-r");
  auto adapter = std::make_unique<LoraAdapter>();
  adapter->cfg = lc;
  auto gen = at::detail::createCPUGenerator(seed);
  auto f32 = torch::TensorOptions().dtype(torch::kFloat);
  const std::string layers_root = cfg_.layer_prefix(0).substr(0, cfg_.layer_prefix(0).size() - 2);  // "….layers."
  for (auto& [name, w] : weights_) {
    const std::string suffix = ".weight";
    if (name.rfind(layers_root, 0) != 0 || name.size() < suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0 || w.dim() != 2)
      continue;
    std::string module = name.substr(0, name.size() - suffix.size());
    std::string short_name = module.substr(module.rfind('.') + 1);
    if (!lora_targets(lc, short_name)) continue;
    int64_t out = w.size(0), in = w.size(1);
    // PEFT: kaiming_uniform_(A, a=sqrt(5)) => U(-1/sqrt(in), 1/sqrt(in)); B = 0.
    double bound = 1.0 / std::sqrt(double(in));
    auto A = torch::empty({lc.r, in}, f32);
    A.uniform_(-bound, bound, gen);
    LoraPair p{A.to(device_).requires_grad_(true), torch::zeros({out, lc.r}, f32.device(device_)).requires_grad_(true)};
    adapter->modules[module] = p;
  }
  if (adapter->modules.empty()) {
    std::string all;
    for (auto& t : lc.targets) all += (all.empty() ? "" : ",") + t;
    fail(cat("no module matches the LoRA targets '", all, "'"),
         cfg_.arch == Arch::NeoX ? "use names from query_key_value,dense,dense_h_to_4h,dense_4h_to_h"
                                 : "use names from q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj");
  }
  lora_ = std::move(adapter);
}

void CausalLM::enable_full_training() {
  if (lora_) fail_internal("full fine-tuning and LoRA are exclusive");
  if (dtype_ != torch::kFloat)
    fail("full fine-tuning needs fp32 compute", "pass --dtype fp32 (or train a LoRA adapter instead)");
  for (auto& [n, w] : weights_) w = w.detach().to(torch::kFloat).clone().requires_grad_(true);
  full_training_ = true;
}

std::vector<std::pair<std::string, torch::Tensor>> CausalLM::trainable() const {
  if (lora_) return lora_->named_parameters();
  std::vector<std::pair<std::string, torch::Tensor>> out;
  if (full_training_)
    for (auto& [n, w] : weights_) out.emplace_back(n, w);
  return out;
}

torch::Tensor CausalLM::merged_weight(const std::string& name, c10::ScalarType out_dtype) const {
  torch::NoGradGuard ng;
  const auto& w = weight(name);
  const std::string suffix = ".weight";
  if (lora_ && name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    auto it = lora_->modules.find(name.substr(0, name.size() - suffix.size()));
    if (it != lora_->modules.end())  // W <- W + (alpha/r) B A   (computed in fp32)
      return (w.to(torch::kFloat) + torch::matmul(it->second.B, it->second.A) * lora_->cfg.scale()).to(out_dtype);
  }
  return w.detach().to(out_dtype);
}

std::map<std::string, torch::Tensor> CausalLM::merged_weights(c10::ScalarType out_dtype) const {
  std::map<std::string, torch::Tensor> out;
  for (auto& [name, w] : weights_) out[name] = merged_weight(name, out_dtype);
  return out;
}

}  // namespace libu::model
