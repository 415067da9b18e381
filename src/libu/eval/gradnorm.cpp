// libu/eval/gradnorm.cpp — see gradnorm.h.
#include "libu/eval/gradnorm.h"

#include <cmath>
#include <set>

#include "libu/core/error.h"
#include "libu/core/progress.h"
#include "libu/model/loss.h"

namespace libu::eval {

namespace {

// The model's floating weights, each storage once, with requires_grad on and the model in eval
// mode while alive; both restored on the way out (an error included).
struct GradWeights {
  model::CausalLM& model;
  const bool was_training;
  std::vector<torch::Tensor> w;
  std::vector<bool> had;
  explicit GradWeights(model::CausalLM& m) : model(m), was_training(m.training()) {
    m.set_training(false);
    std::set<const void*> seen;
    for (const auto& [name, t] : m.weights()) {
      if (!t.is_floating_point() || !seen.insert(t.unsafeGetTensorImpl()).second) continue;
      w.push_back(t);
      had.push_back(t.requires_grad());
      if (!t.requires_grad()) w.back().requires_grad_(true);
    }
  }
  ~GradWeights() {
    for (size_t i = 0; i < w.size(); ++i)
      if (!had[i]) w[i].requires_grad_(false);
    model.set_training(was_training);
  }
};

}  // namespace

std::vector<double> gradnorm_statistics(model::CausalLM& model, const text::Tokenizer& tok,
                                        const std::vector<std::string>& documents, const MiaOptions& opt,
                                        double p, const std::string& label) {
  if (!(p == 1 || p == 2 || std::isinf(p))) fail(cat("gradnorm p = ", p), "use 1, 2 or inf");
  torch::AutoGradMode grad_on(true);
  GradWeights gw(model);
  std::vector<double> out;
  Progress bar(label + " gradnorm", int64_t(documents.size()), "docs");
  for (const auto& doc : documents) {
    auto e = tok.encode_ids(doc, false);
    const size_t n = std::min<size_t>(e.size(), size_t(opt.max_length));
    if (n < 2) fail(cat(label, ": a document has ", n, " token(s); its loss needs at least 2"), "drop it");
    auto ids = torch::tensor(std::vector<int64_t>(e.begin(), e.begin() + long(n))).unsqueeze(0).to(model.device());  // [1, n]
    auto logits = model.forward(ids);                                                          // [1, n, V]
    auto loss = model::causal_lm_loss(logits, ids);                                            // mean token NLL
    auto g = torch::autograd::grad({loss}, gw.w, {}, false, false, /*allow_unused=*/true);
    double sum = 0;
    int64_t count = 0;
    for (auto& x : g)
      if (x.defined()) sum += x.to(torch::kFloat).norm(p).item<double>(), ++count;
    out.push_back(count ? sum / double(count) : 0.0);
    bar.advance(1);
  }
  bar.finish();
  return out;
}

}  // namespace libu::eval
