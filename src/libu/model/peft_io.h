// libu/model/peft_io.h — PEFT adapter folders (adapter_config.json +
// adapter_model.safetensors with PEFT key names; docs/unlearning.md "Definitions").
#pragma once
#include <string>

#include "libu/model/causal_lm.h"
#include "libu/model/lora_config.h"

namespace libu::model {

// Writes `model`'s adapter to dir (created if needed); each file is written atomically.
void save_adapter(const CausalLM& model, const std::string& dir);
// Reads adapter_config.json, injects LoRA into `model` and loads the tensors. Every key
// must match a module of the model with the right shape.
void load_adapter(CausalLM& model, const std::string& dir);

}  // namespace libu::model
