#include "libu/model/lora.h"

#include <algorithm>

namespace libu::model {

std::string LoraAdapter::peft_key(const std::string& module, char which) {
  return "base_model.model." + module + ".lora_" + std::string(1, which) + ".weight";
}

std::vector<std::pair<std::string, torch::Tensor>> LoraAdapter::named_parameters() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (auto& [m, p] : modules) {
    out.emplace_back(peft_key(m, 'A'), p.A);
    out.emplace_back(peft_key(m, 'B'), p.B);
  }
  return out;
}

std::vector<torch::Tensor> LoraAdapter::parameters() const {
  std::vector<torch::Tensor> out;
  for (auto& kv : named_parameters()) out.push_back(kv.second);
  return out;
}

int64_t LoraAdapter::num_parameters() const {
  int64_t n = 0;
  for (auto& t : parameters()) n += t.numel();
  return n;
}

std::map<std::string, torch::Tensor> LoraAdapter::snapshot() const {
  std::map<std::string, torch::Tensor> s;
  for (auto& [k, t] : named_parameters()) s[k] = t.detach().clone();
  return s;
}

void LoraAdapter::restore(const std::map<std::string, torch::Tensor>& snap) {
  torch::NoGradGuard ng;
  for (auto& [k, t] : named_parameters()) t.copy_(snap.at(k));
}

bool lora_targets(const LoraConfig& c, const std::string& short_name) {
  return std::find(c.targets.begin(), c.targets.end(), short_name) != c.targets.end();
}

}  // namespace libu::model
