// libu/eval/gradnorm.h — the gradient-norm membership statistic (Wang et al. 2024,
// arXiv 2402.17012; OpenUnlearning's GradNorm MIA): per document, the mean over the model's
// weight tensors of the p-norm of ∂L/∂W, L the document's mean token NLL. Training data sits
// near a minimum, so a larger norm looks less like training data ("higher = less member").
#pragma once
#include <string>
#include <vector>

#include "libu/eval/mia.h"

namespace libu::eval {

// p: 1, 2 or infinity. Every floating weight of the model counts once (tied weights once), as
// HF's model.parameters(); a LoRA adapter, when present, is part of the function (W + BA) but
// not a parameter of its own, so the norms are those of the merged model's weights. Documents
// are encoded like the MIA documents (no BOS, cut at opt.max_length) and run one at a time, in
// eval mode. The weights' requires_grad flags are restored afterwards.
std::vector<double> gradnorm_statistics(model::CausalLM& model, const text::Tokenizer& tok,
                                        const std::vector<std::string>& documents, const MiaOptions& opt,
                                        double p, const std::string& label);

}  // namespace libu::eval
