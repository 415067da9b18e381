// Baseline `rmu` (Li et al. 2024, "The WMDP Benchmark: Measuring and Reducing Malicious Use With
// Unlearning", §5, Representation Misdirection for Unlearning). At one decoder layer ℓ:
//   forget rows: L_f = mean over tokens and dims of (h_θ^ℓ(x) − c·u)², u a fixed random unit
//                vector, c = --rmu-steering, so the forget text's activations are scrambled;
//   retain rows: L_r = w_r · mean over tokens and dims of (h_θ^ℓ(x) − h_ref^ℓ(x))², h_ref from the
//                same model with the adapter off (no second copy), so the retain text's are kept.
// Only the layers up to ℓ run (CausalLM::layer_output); LoRA modules above ℓ get no gradient.
#include "libu/unlearn/methods/method.h"

#include "libu/core/error.h"

namespace libu::unlearn {

int64_t rmu_layer(const ObjectiveParams& p, int64_t num_layers) {
  // The paper steers layer 7 of 32 (zephyr-7b): a quarter of the depth, 0-based.
  int64_t l = p.rmu_layer >= 0 ? p.rmu_layer : std::max<int64_t>(0, num_layers / 4 - 1);
  if (l >= num_layers)
    fail(cat("--rmu-layer ", l, " is past the model's ", num_layers, " layers"),
         cat("choose a layer from 0 to ", num_layers - 1));
  return l;
}

torch::Tensor rmu_direction(int64_t hidden, uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  auto u = at::rand({hidden}, gen, torch::kFloat);  // [D] uniform in [0, 1), as the paper draws it
  return u / u.norm();
}

Terms rmu_terms(model::CausalLM& m, const TensorBatch& b, bool is_forget, const ObjectiveParams& p) {
  Terms t;
  const int64_t layer = rmu_layer(p, m.config().num_layers);
  auto h = m.layer_output(b.input_ids, b.attention_mask, layer).to(torch::kFloat);  // [B, T, D]
  auto mask = b.attention_mask.defined() ? b.attention_mask.to(h.device()).to(torch::kFloat)
                                         : torch::ones({h.size(0), h.size(1)}, h.options());  // [B, T]
  torch::Tensor target;                                                                      // [B, T, D] or [D]
  if (is_forget) {
    target = (p.rmu_steering * rmu_direction(h.size(2), p.rmu_seed)).to(h.device());
  } else {
    torch::NoGradGuard ng;
    bool was = m.lora_enabled();
    m.set_lora_enabled(false);
    target = m.layer_output(b.input_ids, b.attention_mask, layer).to(torch::kFloat);
    m.set_lora_enabled(was);
  }
  auto se = (h - target).pow(2).mean(2);                           // [B, T] mean over dims
  auto l = (se * mask).sum() / mask.sum().clamp_min(1.0);          // mean over the real tokens
  t.logs[is_forget ? "rmu_f" : "rmu_r"] = l.detach();
  t.loss = is_forget ? l : p.retain_weight * l;
  return t;
}

std::unique_ptr<Method> make_rmu() { return std::make_unique<ObjectiveMethod>("rmu", Objective::RMU); }

}  // namespace libu::unlearn
