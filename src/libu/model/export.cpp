#include "libu/model/export.h"

#include <unistd.h>

#include <filesystem>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/kill_point.h"
#include "libu/model/runtime.h"
#include "libu/model/tensor_io.h"

namespace libu::model {

namespace fsys = std::filesystem;

std::map<std::string, torch::Tensor> init_weights(const ModelConfig& cfg, uint64_t seed, c10::ScalarType dtype) {
  auto arch = make_architecture(cfg.arch);
  auto gen = at::detail::createCPUGenerator(seed);
  std::map<std::string, torch::Tensor> w;
  for (auto& s : all_weights(cfg, *arch)) {
    auto t = torch::empty(s.shape, torch::kFloat);
    if (s.init == WeightSpec::Normal) t.normal_(0.0, 0.02, gen);  // HF initializer_range
    else if (s.init == WeightSpec::Ones) t.fill_(1.0);
    else t.zero_();
    w[s.name] = t.to(dtype);
  }
  return w;
}

static const char* kTokenizerFiles[] = {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                                        "generation_config.json", "vocab.json", "merges.txt"};

static bool same_path(const std::string& a, const std::string& b) {
  std::error_code ec;
  return fsys::exists(a) && fsys::exists(b) && fsys::equivalent(a, b, ec);
}

void write_model_folder(const std::string& out_dir, ModelConfig cfg,
                        const std::map<std::string, torch::Tensor>& weights, c10::ScalarType dtype,
                        const std::string& copy_from, const std::string& tokenizer_file) {
  write_model_folder(
      out_dir, cfg, [&](const std::string& n) { return weights.at(n); }, dtype, copy_from, tokenizer_file);
}

void write_model_folder(const std::string& out_dir, ModelConfig cfg, const WeightSource& weight,
                        c10::ScalarType dtype, const std::string& copy_from, const std::string& tokenizer_file) {
  if (!copy_from.empty() && same_path(copy_from, out_dir))
    fail(cat(out_dir, ": refusing to write into the input model folder"), "choose another --out");
  fsys::path out = fsys::absolute(out_dir);
  fsys::path tmp = out.string() + ".tmp-" + std::to_string(getpid());
  fsys::remove_all(tmp);
  make_dirs(tmp.string());
  try {
    cfg.torch_dtype = dtype_str(dtype);
    write_file_atomic((tmp / "config.json").string(), cfg.to_json().dump(2) + "\n");
    auto arch = make_architecture(cfg.arch);
    std::vector<LazyTensor> ordered;
    for (auto& s : all_weights(cfg, *arch))
      ordered.push_back({s.name, s.shape, dtype, [&weight, name = s.name] { return weight(name); }});
    write_tensors_lazy((tmp / "model.safetensors").string(), ordered);
    if (!copy_from.empty())
      for (auto* f : kTokenizerFiles)
        if (fsys::exists(fsys::path(copy_from) / f)) fsys::copy_file(fsys::path(copy_from) / f, tmp / f);
    if (!tokenizer_file.empty())
      fsys::copy_file(tokenizer_file, tmp / "tokenizer.json", fsys::copy_options::overwrite_existing);
  } catch (...) {  // a full disk or a failed tensor: no half-written folder is left behind
    std::error_code rm;
    fsys::remove_all(tmp, rm);
    throw;
  }
  kill_point("model");
  replace_dir(tmp.string(), out.string());
}

void export_merged(const CausalLM& model, const std::string& out_dir, c10::ScalarType dtype) {
  write_model_folder(
      out_dir, model.config(), [&](const std::string& n) { return model.merged_weight(n, dtype); }, dtype,
      model.source_dir());
}

}  // namespace libu::model
