#include "libu/model/parity.h"

#include "libu/core/error.h"
#include "libu/model/causal_lm.h"
#include "libu/model/loss.h"
#include "libu/model/peft_io.h"
#include "libu/model/runtime.h"
#include "libu/model/tensor_io.h"

namespace libu::model {

namespace {

const torch::Tensor& need(const std::map<std::string, torch::Tensor>& m, const std::string& key,
                          const std::string& file) {
  auto it = m.find(key);
  if (it == m.end()) fail(cat(file, ": missing tensor '", key, "'"), "a parity fixture needs input_ids, attention_mask, labels, logits and loss");
  return it->second;
}

// max |a - b| over positions where mask [B, T] is 1. a, b: [B, T, V]
double masked_max_abs(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& mask) {
  auto d = (a - b.to(a.dtype())).abs().amax(-1);  // [B, T]
  return (d * mask.to(d.dtype())).max().item<double>();
}

}  // namespace

nlohmann::json run_parity(const std::string& model_dir, const std::string& expected_file,
                          const std::string& adapter_dir, const ParityOptions& opt) {
  LoadOptions lo;
  lo.dtype = torch::kFloat;  // parity is checked in fp32 (the fixture's math)
  lo.device = parse_device(opt.device);
  auto exp = read_tensors(expected_file);
  for (auto& [k, t] : exp) t = t.to(lo.device);
  const auto& ids = need(exp, "input_ids", expected_file);
  const auto& mask = need(exp, "attention_mask", expected_file);
  const auto& labels = need(exp, "labels", expected_file);
  auto model = CausalLM::load(model_dir, lo);
  nlohmann::json r = {{"model", model_dir}, {"expected", expected_file}};
  bool ok = true;
  {
    torch::NoGradGuard ng;
    auto logits = model->forward(ids, mask);
    double le = masked_max_abs(logits, need(exp, "logits", expected_file), mask);
    double ls = std::abs(causal_lm_loss(logits, labels).item<double>() - need(exp, "loss", expected_file).item<double>());
    r["logits_max_abs_err"] = le;
    r["loss_abs_err"] = ls;
    ok = ok && le <= opt.atol && ls <= opt.atol;
  }
  if (!adapter_dir.empty()) {
    load_adapter(*model, adapter_dir);
    auto logits = model->forward(ids, mask);
    auto loss = causal_lm_loss(logits, labels);
    double le = masked_max_abs(logits.detach(), need(exp, "lora_logits", expected_file), mask);
    double ls = std::abs(loss.item<double>() - need(exp, "lora_loss", expected_file).item<double>());
    loss.backward();
    double g_rel = 0, g_abs = 0;
    int64_t n = 0;
    for (auto& [key, p] : model->lora()->named_parameters()) {
      auto it = exp.find("grad." + key);
      if (it == exp.end()) fail(cat(expected_file, ": missing tensor 'grad.", key, "'"));
      auto diff = (p.grad() - it->second).abs().max().item<double>();
      double scale = std::max(it->second.abs().max().item<double>(), 1e-12);
      g_abs = std::max(g_abs, diff);
      g_rel = std::max(g_rel, diff / scale);
      ++n;
    }
    r["lora_logits_max_abs_err"] = le;
    r["lora_loss_abs_err"] = ls;
    r["grad_max_abs_err"] = g_abs;
    r["grad_max_rel_err"] = g_rel;
    r["grad_tensors"] = n;
    ok = ok && le <= opt.atol && ls <= opt.atol && g_rel <= opt.grad_rtol;
  }
  r["atol"] = opt.atol;
  r["grad_rtol"] = opt.grad_rtol;
  r["ok"] = ok;
  return r;
}

}  // namespace libu::model
