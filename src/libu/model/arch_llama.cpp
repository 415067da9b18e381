// Llama: pre-norm decoder with RMSNorm (weight applied after the cast back), GQA,
// SwiGLU, RoPE. HF transformers' modeling_llama.py; README.md "Supported models".
#include "libu/model/layers.h"

namespace libu::model {

namespace {

class Llama : public Architecture {
 public:
  std::vector<WeightSpec> layer_weights(const ModelConfig& c) const override {
    auto w = projection_weights(c);
    w.push_back({"input_layernorm.weight", {c.hidden_size}, WeightSpec::Ones});
    w.push_back({"post_attention_layernorm.weight", {c.hidden_size}, WeightSpec::Ones});
    return w;
  }
  std::vector<WeightSpec> extra_weights(const ModelConfig& c) const override {
    return {{"model.norm.weight", {c.hidden_size}, WeightSpec::Ones}};
  }

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

std::unique_ptr<Architecture> make_llama() { return std::make_unique<Llama>(); }

}  // namespace libu::model
