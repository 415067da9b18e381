// libu/model/lora_config.h — the LoRA hyper-parameters and PEFT's adapter_config.json
// (no torch, so the parser can be fuzzed on its own: tests/fuzz).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace libu::model {

struct LoraConfig {
  int64_t r = 8;
  double alpha = 16.0;
  double dropout = 0.0;
  std::vector<std::string> targets = {"q_proj", "k_proj", "v_proj", "o_proj"};
  double scale() const { return alpha / double(r); }
};

// DIR/adapter_config.json as PEFT's save_pretrained writes it. Errors name the file and field.
LoraConfig read_adapter_config(const std::string& dir);
// The parsed JSON object; `path` names it in errors. Guarantees r >= 1, finite alpha,
// dropout in [0, 1) and a non-empty list of non-empty target names.
LoraConfig parse_adapter_config(const nlohmann::json& j, const std::string& path);

}  // namespace libu::model
