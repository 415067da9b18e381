// OLMo-2: no pre-norm; RMSNorm q_norm/k_norm over the full q/k projections; post-norms
// after attention and after the MLP; the RMSNorm weight multiplies before the cast back.
// HF transformers' modeling_olmo2.py; README.md "Supported models".
#include "libu/model/layers.h"

namespace libu::model {

namespace {

class Olmo2 : public Architecture {
 public:
  std::vector<WeightSpec> layer_weights(const ModelConfig& c) const override {
    auto w = projection_weights(c);
    w.push_back({"self_attn.q_norm.weight", {c.num_heads * c.head_dim}, WeightSpec::Ones});
    w.push_back({"self_attn.k_norm.weight", {c.num_kv_heads * c.head_dim}, WeightSpec::Ones});
    w.push_back({"post_attention_layernorm.weight", {c.hidden_size}, WeightSpec::Ones});
    w.push_back({"post_feedforward_layernorm.weight", {c.hidden_size}, WeightSpec::Ones});
    return w;
  }
  std::vector<WeightSpec> extra_weights(const ModelConfig& c) const override {
    return {{"model.norm.weight", {c.hidden_size}, WeightSpec::Ones}};
  }

  torch::Tensor layer_forward(const LayerInputs& in, const torch::Tensor& x) const override {
    double eps = in.cfg.norm_eps;
    const auto& qn = in.weight("self_attn.q_norm.weight");
    const auto& kn = in.weight("self_attn.k_norm.weight");
    QKVHook norms = [&](torch::Tensor& q, torch::Tensor& k, torch::Tensor&) {
      q = olmo2_rms_norm(q, qn, eps);  // over the full [B, T, H*d] projection
      k = olmo2_rms_norm(k, kn, eps);
    };
    auto a = self_attention(in, x, norms);
    auto h = x + olmo2_rms_norm(a, in.weight("post_attention_layernorm.weight"), eps);
    auto m = swiglu_mlp(in, h);
    return h + olmo2_rms_norm(m, in.weight("post_feedforward_layernorm.weight"), eps);
  }

  torch::Tensor final_norm(const ModelConfig& c, const std::function<const torch::Tensor&(const std::string&)>& w,
                           const torch::Tensor& x) const override {
    return olmo2_rms_norm(x, w("model.norm.weight"), c.norm_eps);
  }
};

}  // namespace

std::unique_ptr<Architecture> make_olmo2() { return std::make_unique<Olmo2>(); }

}  // namespace libu::model
