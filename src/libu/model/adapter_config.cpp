// PEFT adapter_config.json (docs/unlearning.md "Definitions"): r, lora_alpha, lora_dropout,
// target_modules.
#include <cmath>
#include <filesystem>

#include "libu/core/error.h"
#include "libu/io/jsonl.h"
#include "libu/model/lora_config.h"

namespace libu::model {

using nlohmann::json;

static const char* kAdapterHint = "adapter_config.json is written by PEFT's save_pretrained";

LoraConfig read_adapter_config(const std::string& dir) {
  std::string path = dir + "/adapter_config.json";
  if (!std::filesystem::exists(path)) fail(cat(path, ": missing"), "a PEFT adapter folder holds adapter_config.json");
  json j = io::read_json_file(path, kAdapterHint);
  return parse_adapter_config(j, path);
}

static LoraConfig parse_fields(const json& j, const std::string& path) {
  if (j.value("peft_type", "LORA") != "LORA") fail(cat(path, ": peft_type '", j.value("peft_type", ""), "' is not LORA"));
  if (j.value("use_rslora", false)) fail(cat(path, ": use_rslora is not supported"));
  if (j.value("fan_in_fan_out", false)) fail(cat(path, ": fan_in_fan_out=true is not supported"));
  LoraConfig c;
  c.r = j.at("r").get<int64_t>();
  c.alpha = j.value("lora_alpha", double(c.r));
  c.dropout = j.value("lora_dropout", 0.0);
  if (j.contains("target_modules")) {
    if (!j["target_modules"].is_array()) fail(cat(path, ": target_modules must be a list of module names"));
    c.targets = j["target_modules"].get<std::vector<std::string>>();
  }
  return c;
}

LoraConfig parse_adapter_config(const json& j, const std::string& path) {
  if (!j.is_object() || !j.contains("r")) fail(cat(path, ": field 'r' (the LoRA rank) is missing"), kAdapterHint);
  LoraConfig c;
  try {
    c = parse_fields(j, path);
  } catch (const json::exception& e) {
    fail(cat(path, ": a field has the wrong type: ", e.what()), "r is an integer, lora_alpha a number, target_modules a list");
  }
  if (c.r < 1) fail(cat(path, ": field 'r' is ", c.r), "the LoRA rank is a positive integer");
  if (!std::isfinite(c.alpha)) fail(cat(path, ": field 'lora_alpha' is not finite"), kAdapterHint);
  if (!(c.dropout >= 0 && c.dropout < 1)) fail(cat(path, ": field 'lora_dropout' is ", c.dropout), "dropout is in [0, 1)");
  if (c.targets.empty()) fail(cat(path, ": target_modules is empty"), "list the module names LoRA wraps, e.g. [\"q_proj\", \"v_proj\"]");
  for (auto& t : c.targets)
    if (t.empty()) fail(cat(path, ": target_modules holds an empty name"), kAdapterHint);
  return c;
}

}  // namespace libu::model
