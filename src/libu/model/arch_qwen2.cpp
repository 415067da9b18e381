// Qwen2 (Qwen Team, "Qwen2 Technical Report", arXiv 2407.10671, §2.1): the Llama decoder
// (pre-norm RMSNorm, SwiGLU, RoPE with rope_theta from config.json, usually 1e6) with
// grouped-query attention and a bias on the q, k and v projections only (none on o or the
// MLP). Embeddings tied or untied per config.json. Sliding-window attention is refused at
// parse time (config.cpp), since released checkpoints ship with use_sliding_window false.
#include "libu/model/layers.h"

namespace libu::model {

namespace {

class Qwen2 : public Architecture {
 public:
  std::vector<WeightSpec> layer_weights(const ModelConfig& c) const override {
    auto w = projection_weights(c);  // q/k/v biases from c.qkv_bias
    w.push_back({"input_layernorm.weight", {c.hidden_size}, WeightSpec::Ones});
    w.push_back({"post_attention_layernorm.weight", {c.hidden_size}, WeightSpec::Ones});
    return w;
  }
  std::vector<WeightSpec> extra_weights(const ModelConfig& c) const override {
    return {{"model.norm.weight", {c.hidden_size}, WeightSpec::Ones}};
  }

  // x: [B, T, D]; h = x + Attn(RMSNorm(x)) with biased q/k/v; out = h + MLP(RMSNorm(h)).
  torch::Tensor layer_forward(const LayerInputs& in, const torch::Tensor& x) const override {
    double eps = in.cfg.norm_eps;
    auto h = x + self_attention(in, llama_rms_norm(x, in.weight("input_layernorm.weight"), eps), {});
    return h + swiglu_mlp(in, llama_rms_norm(h, in.weight("post_attention_layernorm.weight"), eps));
  }

  torch::Tensor final_norm(const ModelConfig& c, const std::function<const torch::Tensor&(const std::string&)>& w,
                           const torch::Tensor& x) const override {
    return llama_rms_norm(x, w("model.norm.weight"), c.norm_eps);
  }
};

}  // namespace

std::unique_ptr<Architecture> make_qwen2() { return std::make_unique<Qwen2>(); }

}  // namespace libu::model
