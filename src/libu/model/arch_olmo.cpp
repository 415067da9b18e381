// OLMo (0724, HF model_type "olmo"): pre-norm decoder with non-parametric LayerNorm
// (fp32, eps 1e-5), optional clip_qkv clamping of q/k/v, SwiGLU, RoPE. HF transformers'
// modeling_olmo.py; README.md "Supported models".
#include "libu/model/layers.h"

namespace libu::model {

namespace {

class Olmo : public Architecture {
 public:
  std::vector<WeightSpec> layer_weights(const ModelConfig& c) const override {
    return projection_weights(c);  // no norm weights: LayerNorm is non-parametric
  }
  std::vector<WeightSpec> extra_weights(const ModelConfig&) const override { return {}; }

  torch::Tensor layer_forward(const LayerInputs& in, const torch::Tensor& x) const override {
    QKVHook clip;
    if (in.cfg.clip_qkv) {
      double cl = *in.cfg.clip_qkv;
      clip = [cl](torch::Tensor& q, torch::Tensor& k, torch::Tensor& v) {
        q = q.clamp(-cl, cl);
        k = k.clamp(-cl, cl);
        v = v.clamp(-cl, cl);
      };
    }
    auto h = x + self_attention(in, olmo_layer_norm(x), clip);  // [B, T, D]
    return h + swiglu_mlp(in, olmo_layer_norm(h));
  }

  torch::Tensor final_norm(const ModelConfig&, const std::function<const torch::Tensor&(const std::string&)>&,
                           const torch::Tensor& x) const override {
    return olmo_layer_norm(x);
  }
};

}  // namespace

std::unique_ptr<Architecture> make_olmo() { return std::make_unique<Olmo>(); }

}  // namespace libu::model
