#include "libu/model/peft_io.h"

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/io/jsonl.h"
#include "libu/model/tensor_io.h"

namespace libu::model {

using nlohmann::json;

void save_adapter(const CausalLM& model, const std::string& dir) {
  const LoraAdapter* a = model.lora();
  if (!a) fail_internal("save_adapter: model has no LoRA adapter");
  make_dirs(dir);
  json cfg = {{"peft_type", "LORA"},
              {"task_type", "CAUSAL_LM"},
              {"r", a->cfg.r},
              {"lora_alpha", a->cfg.alpha},
              {"lora_dropout", a->cfg.dropout},
              {"target_modules", a->cfg.targets},
              {"bias", "none"},
              {"fan_in_fan_out", false},
              {"use_rslora", false},
              {"inference_mode", true},
              {"base_model_name_or_path", model.source_dir()}};
  std::vector<std::pair<std::string, torch::Tensor>> ts;
  for (auto& [k, t] : a->named_parameters()) ts.emplace_back(k, t.detach().to(torch::kFloat));
  write_tensors_ordered(dir + "/adapter_model.safetensors", ts);
  write_file_atomic(dir + "/adapter_config.json", cfg.dump(2) + "\n");
}

void load_adapter(CausalLM& model, const std::string& dir) {
  LoraConfig c = read_adapter_config(dir);
  std::string path = dir + "/adapter_model.safetensors";
  if (!std::filesystem::exists(path))
    fail(cat(path, ": missing"), "PEFT adapters saved as adapter_model.bin must be converted to safetensors");
  auto file = io::SafetensorsFile::open(path);
  model.add_lora(c, 0);
  std::set<std::string> seen;
  torch::NoGradGuard ng;
  for (auto& [key, param] : model.lora()->named_parameters()) {
    if (!file->contains(key)) fail(cat(path, ": missing tensor '", key, "'"), "the adapter does not match the model");
    auto t = view_tensor(file->get(key));
    if (t.sizes() != param.sizes())
      fail(cat(path, ": tensor '", key, "' has shape ", t.sizes(), ", the model needs ", param.sizes()),
           "the adapter was trained for another model or rank");
    param.copy_(t.to(torch::kFloat));
    seen.insert(key);
  }
  for (auto& v : file->tensors())
    if (!seen.count(v.name)) fail(cat(path, ": unexpected tensor '", v.name, "'"), "the adapter does not match the model");
}

}  // namespace libu::model
