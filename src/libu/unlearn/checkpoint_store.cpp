// libu/unlearn/checkpoint_store.cpp — what the trainer saves and reads back (checkpoint_store.h).
#include "libu/unlearn/checkpoint_store.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include <ATen/CPUGeneratorImpl.h>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/kill_point.h"
#include "libu/core/log.h"
#include "libu/dist/dist.h"
#include "libu/io/jsonl.h"
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

std::string CheckpointContext::dir(int64_t step) const { return out_dir + "/checkpoints/step-" + std::to_string(step); }

namespace {

// What differs between ranks: the torch generator (LoRA dropout) and the optimizer's own RNG
// (Sophia's sampled labels), as JSON. Every rank calls this; each gets them all.
json rank_states(const CheckpointContext& c) {
  auto gen = at::detail::getDefaultCPUGenerator().get_state();  // [n] uint8
  std::string hex;
  static const char* d = "0123456789abcdef";
  for (int64_t i = 0; i < gen.numel(); ++i) {
    uint8_t b = gen.data_ptr<uint8_t>()[i];
    hex += d[b >> 4], hex += d[b & 15];
  }
  json mine = {{"rank", c.rank}, {"torch_cpu", hex}, {"optimizer", c.optimizer.state_json()}};
  json all = json::array();
  for (auto& s : dist::all_gather_strings(mine.dump())) all.push_back(json::parse(s));
  return all;
}

void load_rank_state(const CheckpointContext& c, const json& st) {
  const json& mine = st.at(size_t(c.rank));
  std::string hex = mine.at("torch_cpu").get<std::string>();
  auto gen = torch::empty({int64_t(hex.size() / 2)}, torch::kUInt8);
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    gen.data_ptr<uint8_t>()[i / 2] = uint8_t(std::stoi(hex.substr(i, 2), nullptr, 16));
  auto g0 = at::detail::getDefaultCPUGenerator();
  g0.set_state(gen);
  c.optimizer.load_state(c.optimizer.state_tensors(), mine.at("optimizer"));
}

json num_or_null(double x) { return std::isnan(x) ? json(nullptr) : json(x); }
double num_or_nan(const json& st, const char* key) {
  return st.contains(key) && st[key].is_number() ? st[key].get<double>() : NAN;
}

int64_t load_checkpoint(const CheckpointContext& c, int64_t step, const json& st, LoopState& ls) {
  std::string dir = c.dir(step);
  load_trainable(c.m, dir);
  c.optimizer.load_state(model::read_tensors(dir + "/optimizer.safetensors"), st["optimizer"]);
  auto rng = model::read_tensors(dir + "/rng.safetensors");
  auto g0 = at::detail::getDefaultCPUGenerator();
  g0.set_state(rng.at("torch_cpu"));
  if (c.world > 1) load_rank_state(c, st.at("rank_states"));
  ls.lr_scale = st["lr_scale"].get<double>();
  ls.consecutive_bad = st["consecutive_bad"].get<int>();
  ls.best = st["best"];
  ls.base_f = num_or_nan(st, "base_val_forget_nll");
  ls.base_r = num_or_nan(st, "base_val_retain_nll");
  ls.overshoot = st.value("overshoot", 0);
  ls.base_u = num_or_nan(st, "base_utility_nll");
  ls.damaged = st.value("damaged", 0);
  ls.last_validation = st.value("last_validation", json(nullptr));
  log_info("resumed from ", dir);
  return st["step"].get<int64_t>();
}

}  // namespace

void save_checkpoint(const CheckpointContext& c, int64_t step, const LoopState& ls) {
  json ranks = c.world > 1 ? rank_states(c) : json(nullptr);
  if (!dist::is_main()) return;
  std::string dir = c.dir(step), tmp = dir + ".tmp";
  fsys::remove_all(tmp);
  save_trainable(c.m, tmp);
  model::write_tensors(tmp + "/optimizer.safetensors", c.optimizer.state_tensors());
  kill_point("checkpoint");
  model::write_tensors(tmp + "/rng.safetensors", {{"torch_cpu", at::detail::getDefaultCPUGenerator().get_state()}});
  json st = {{"step", step}, {"micro_batches_done", step * c.global_acc}, {"world_size", c.world},
             {"rank_states", ranks}, {"lr_scale", ls.lr_scale},
             {"consecutive_bad", ls.consecutive_bad}, {"best", ls.best}, {"base_val_forget_nll", ls.base_f},
             {"base_val_retain_nll", ls.base_r}, {"overshoot", ls.overshoot},
             {"base_utility_nll", num_or_null(ls.base_u)}, {"damaged", ls.damaged},
             {"last_validation", ls.last_validation}, {"optimizer", c.optimizer.state_json()}};
  write_file_atomic(tmp + "/state.json", st.dump(2));
  kill_point("checkpoint-rename");
  replace_dir(tmp, dir);
}

// The plan is deterministic, so resuming from an earlier checkpoint replays the same steps.
int64_t resume_checkpoint(const CheckpointContext& c, int64_t newest, LoopState& ls) {
  for (int64_t k : checkpoint_steps(c.out_dir)) {
    if (k > newest) continue;  // rank 0's view caps the candidates
    std::string dir = c.dir(k);
    auto skip = [&](const std::exception& e) {
      log_warn("checkpoint ", dir, " is damaged (", e.what(), "); trying the one before");
    };
    json st;
    try {
      st = io::read_json_file(dir + "/state.json", "");
    } catch (const std::exception& e) {
      skip(e);
      continue;
    }
    const int64_t saved_world = st.value("world_size", int64_t(1));
    if (saved_world != c.world)
      fail(cat(dir, ": the checkpoint was written by ", saved_world, " rank(s), this run has ", c.world),
           cat("resume with the same number of ranks (libu launch --nproc ", saved_world,
               "): each rank's random streams (LoRA dropout, Sophia's sampled labels) cannot be re-split exactly"));
    try {
      return load_checkpoint(c, k, st, ls);
    } catch (const std::exception& e) {
      skip(e);
    }
  }
  fail(cat(c.out_dir, ": no checkpoint could be loaded"), "run without --resume (delete OUT/checkpoints)");
}

}  // namespace libu::unlearn
