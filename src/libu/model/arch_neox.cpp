// GPT-NeoX / Pythia (Black et al. 2022, "GPT-NeoX-20B", arXiv 2204.06745, §2.1; Biderman et al.
// 2023, "Pythia"): LayerNorm with weight and bias; one fused query_key_value projection laid out
// per head as [q | k | v] (each head_dim wide); rotary embedding on the first
// rotary_pct · head_dim dims of each head only; a GELU MLP (dense_h_to_4h, dense_4h_to_h); every
// linear layer has a bias; untied embed_in / embed_out. With use_parallel_residual (Pythia):
//   x ← x + Attn(LN₁(x)) + MLP(LN₂(x))
// otherwise the usual sequential pre-norm block. Names: gpt_neox.layers.{i}.… (config.cpp).
#include "libu/model/layers.h"

namespace libu::model {

namespace {

// LayerNorm(x)·w + b in fp32, cast back. x: [B, T, D].
torch::Tensor neox_layer_norm(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b, double eps) {
  return torch::layer_norm(x.to(torch::kFloat), {x.size(-1)}, w.to(torch::kFloat), b.to(torch::kFloat), eps)
      .to(x.scalar_type());
}

class NeoX : public Architecture {
 public:
  std::vector<WeightSpec> layer_weights(const ModelConfig& c) const override {
    const int64_t D = c.hidden_size, F = c.intermediate_size;
    return {{"input_layernorm.weight", {D}, WeightSpec::Ones},   {"input_layernorm.bias", {D}, WeightSpec::Zeros},
            {"post_attention_layernorm.weight", {D}, WeightSpec::Ones},
            {"post_attention_layernorm.bias", {D}, WeightSpec::Zeros},
            {"attention.query_key_value.weight", {3 * D, D}},    {"attention.query_key_value.bias", {3 * D}, WeightSpec::Zeros},
            {"attention.dense.weight", {D, D}},                  {"attention.dense.bias", {D}, WeightSpec::Zeros},
            {"mlp.dense_h_to_4h.weight", {F, D}},                {"mlp.dense_h_to_4h.bias", {F}, WeightSpec::Zeros},
            {"mlp.dense_4h_to_h.weight", {D, F}},                {"mlp.dense_4h_to_h.bias", {D}, WeightSpec::Zeros}};
  }
  std::vector<WeightSpec> extra_weights(const ModelConfig& c) const override {
    return {{"gpt_neox.final_layer_norm.weight", {c.hidden_size}, WeightSpec::Ones},
            {"gpt_neox.final_layer_norm.bias", {c.hidden_size}, WeightSpec::Zeros}};
  }

  torch::Tensor layer_forward(const LayerInputs& in, const torch::Tensor& x) const override {
    const double eps = in.cfg.norm_eps;
    auto ln1 = neox_layer_norm(x, in.weight("input_layernorm.weight"), in.weight("input_layernorm.bias"), eps);
    auto a = attention(in, ln1);  // [B, T, D]
    if (in.cfg.parallel_residual) {
      auto ln2 = neox_layer_norm(x, in.weight("post_attention_layernorm.weight"),
                                 in.weight("post_attention_layernorm.bias"), eps);
      return x + a + mlp(in, ln2);
    }
    auto h = x + a;
    return h + mlp(in, neox_layer_norm(h, in.weight("post_attention_layernorm.weight"),
                                       in.weight("post_attention_layernorm.bias"), eps));
  }

  torch::Tensor final_norm(const ModelConfig& c, const std::function<const torch::Tensor&(const std::string&)>& w,
                           const torch::Tensor& x) const override {
    return neox_layer_norm(x, w("gpt_neox.final_layer_norm.weight"), w("gpt_neox.final_layer_norm.bias"), c.norm_eps);
  }

 private:
  // x: [B, T, D] -> [B, T, D]. The fused projection gives, per head, [q | k | v].
  static torch::Tensor attention(const LayerInputs& in, const torch::Tensor& x) {
    const auto& c = in.cfg;
    const int64_t B = x.size(0), T = x.size(1), H = c.num_heads, d = c.head_dim, r = c.rotary_dim();
    auto qkv = in.linear(x, "attention.query_key_value").view({B, T, H, 3 * d}).transpose(1, 2);  // [B, H, T, 3d]
    auto q = qkv.narrow(-1, 0, d), k = qkv.narrow(-1, d, d), v = qkv.narrow(-1, 2 * d, d);      // [B, H, T, d]
    // Partial rotary: the first r dims rotate (cos/sin are [B, T, r]), the rest pass through.
    auto rot = [&](const torch::Tensor& t) {
      if (r == d) return apply_rope(t, in.cos, in.sin);
      return torch::cat({apply_rope(t.narrow(-1, 0, r), in.cos, in.sin), t.narrow(-1, r, d - r)}, -1);
    };
    return in.linear(attend(in, rot(q), rot(k), v.contiguous()), "attention.dense");
  }

  // GELU MLP; "gelu" is the exact erf form, the others the tanh approximation.
  static torch::Tensor mlp(const LayerInputs& in, const torch::Tensor& x) {
    auto h = in.linear(x, "mlp.dense_h_to_4h");  // [B, T, F]
    h = in.cfg.hidden_act == "gelu" ? torch::gelu(h) : torch::gelu(h, "tanh");
    return in.linear(h, "mlp.dense_4h_to_h");
  }
};

}  // namespace

std::unique_ptr<Architecture> make_neox() { return std::make_unique<NeoX>(); }

}  // namespace libu::model
