// Baseline `undial` (Dong et al. 2024, "UNDIAL: Self-Distillation with Adjusted Logits for Robust
// Unlearning in Large Language Models", NAACL 2025): the model is distilled, on the forget rows,
// towards its own frozen predictions with the label's logit lowered by β, so the memorised token
// loses its mass while the rest of the distribution is kept; retain rows add w_r·NLL as in gd
// (the paper's original setting is --retain-weight 0). AdamW by default (docs/unlearning.md).
#include "libu/unlearn/methods/method.h"

#include "libu/model/loss.h"

namespace libu::unlearn {

torch::Tensor undial_forget_loss(const torch::Tensor& logits, const torch::Tensor& ref_logits,
                                 const torch::Tensor& labels, double beta) {
  const int64_t T = logits.size(1), V = logits.size(2);
  auto z = logits.narrow(1, 0, T - 1).to(torch::kFloat);                 // [B, T-1, V] student
  auto zr = ref_logits.narrow(1, 0, T - 1).to(torch::kFloat).detach();   // [B, T-1, V] teacher
  auto y = labels.narrow(1, 1, T - 1).to(z.device());                    // [B, T-1]
  auto mask = y.ne(model::kIgnoreIndex).to(torch::kFloat);               // [B, T-1]
  auto onehot = torch::one_hot(y.clamp_min(0), V).to(torch::kFloat);     // [B, T-1, V]
  auto q = torch::softmax(zr - beta * onehot, -1);                        // [B, T-1, V] adjusted teacher
  auto ce = -(q * torch::log_softmax(z, -1)).sum(-1);                     // [B, T-1]
  return (ce * mask).sum() / mask.sum().clamp_min(1.0);
}

std::unique_ptr<Method> make_undial() { return std::make_unique<ObjectiveMethod>("undial", Objective::UNDIAL); }

}  // namespace libu::unlearn
