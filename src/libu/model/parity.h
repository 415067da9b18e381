// libu/model/parity.h — compares the engine with an outside reference fixture
// (expected.safetensors: input_ids, attention_mask, labels, logits, loss, lora_logits,
// lora_loss, grad.<PEFT key>), all computed in fp32.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace libu::model {

struct ParityOptions {
  double atol = 1e-4;       // logits and loss
  double grad_rtol = 1e-3;  // gradients, relative to the largest expected magnitude
  std::string device = "cpu";  // where the model runs (the fixture's tensors are moved there)
};

// Returns {"logits_max_abs_err", "loss_abs_err", "lora_*", "grad_max_rel_err", "ok", ...}.
nlohmann::json run_parity(const std::string& model_dir, const std::string& expected_file,
                          const std::string& adapter_dir, const ParityOptions& opt);

}  // namespace libu::model
