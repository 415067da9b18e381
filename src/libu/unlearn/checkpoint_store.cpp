// libu/unlearn/checkpoint_store.cpp — what the trainer saves and reads back (checkpoint_store.h).
#include "libu/unlearn/checkpoint_store.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "libu/core/fs.h"
#include "libu/io/safetensors.h"
#include "libu/model/peft_io.h"
#include "libu/model/tensor_io.h"

namespace libu::unlearn {

namespace fsys = std::filesystem;
using nlohmann::json;

void save_trainable(const model::CausalLM& m, const std::string& dir) {
  if (m.lora()) {
    model::save_adapter(m, dir + "/adapter");
    return;
  }
  make_dirs(dir);
  model::write_tensors_ordered(dir + "/weights.safetensors", m.trainable());
}

void load_trainable(model::CausalLM& m, const std::string& dir) {
  std::string path = m.lora() ? dir + "/adapter/adapter_model.safetensors" : dir + "/weights.safetensors";
  auto file = io::SafetensorsFile::open(path);
  torch::NoGradGuard ng;
  for (auto& [k, p] : m.trainable()) p.copy_(model::view_tensor(file->get(k)));
}

// --resume from the checkpoint of step `start`: metrics.jsonl keeps what was logged before that
// checkpoint was saved: step lines up to `start`, validation lines before it, and the one at
// `start` only when the checkpoint holds it (`validated_at_start`; the final validation comes
// after the last save). What follows is replayed and logged again; a line torn by a kill is
// dropped.
void trim_metrics(const std::string& path, int64_t start, bool validated_at_start) {
  if (!path_exists(path)) return;
  std::istringstream in(read_file(path));
  std::string kept, line;
  while (std::getline(in, line)) {
    const json j = json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    const bool validation = j.contains("validation");
    const json& s = validation ? j["validation"] : j;
    if (s.contains("step") && s["step"].is_number_integer()) {
      const int64_t k = s["step"].get<int64_t>();
      if (k > start || (validation && k == start && !validated_at_start)) continue;
    }
    kept += line + "\n";
  }
  write_file_atomic(path, kept);
}

std::vector<int64_t> checkpoint_steps(const std::string& out_dir) {
  std::vector<int64_t> steps;
  std::error_code ec;
  for (auto& e : fsys::directory_iterator(out_dir + "/checkpoints", ec)) {
    std::string n = e.path().filename().string();
    if (n.rfind("step-", 0) != 0 || n.find(".tmp") != std::string::npos) continue;
    try {
      size_t used = 0;
      int64_t k = std::stoll(n.substr(5), &used);
      if (used == n.size() - 5) steps.push_back(k);
    } catch (...) {
    }
  }
  std::sort(steps.rbegin(), steps.rend());
  return steps;
}

int64_t latest_checkpoint(const std::string& out_dir) {
  auto steps = checkpoint_steps(out_dir);
  return steps.empty() ? -1 : steps.front();
}

}  // namespace libu::unlearn
