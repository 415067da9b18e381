#include "libu/model/loader.h"

#include <filesystem>
#include <set>
#include <sstream>

#include "libu/core/error.h"
#include "libu/core/log.h"
#include "libu/model/tensor_io.h"

namespace libu::model {

namespace {

std::string shape_str(const std::vector<int64_t>& s) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << "]";
  return os.str();
}

std::string join_some(const std::vector<std::string>& v, size_t max = 8) {
  std::string out;
  for (size_t i = 0; i < v.size() && i < max; ++i) out += (i ? ", " : "") + v[i];
  if (v.size() > max) out += cat(", ... (", v.size() - max, " more)");
  return out;
}

// Missing, unexpected or mis-shaped tensors, reported together.
struct LoadReport {
  std::vector<std::string> missing, unexpected, misshaped;
};

bool ends_with(const std::string& s, const std::string& suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

bool ignorable(const std::string& name) {
  // Buffers some exporters write; they are recomputed, never learned (GPT-NeoX / Pythia
  // checkpoints also carry each layer's causal mask as attention.bias / attention.masked_bias).
  return name.find("rotary_emb.inv_freq") != std::string::npos || ends_with(name, ".attention.bias") ||
         ends_with(name, ".attention.masked_bias");
}

}  // namespace

std::shared_ptr<CausalLM> load_impl(const std::string& dir, const LoadOptions& opt) {
  std::string cfg_path = dir + "/config.json";
  if (!std::filesystem::is_directory(dir))
    fail(cat(dir, ": not a folder"), "pass an HF model folder holding config.json and *.safetensors");
  if (!std::filesystem::exists(cfg_path))
    fail(cat(cfg_path, ": missing"), "an HF model folder needs config.json");
  ModelConfig cfg = ModelConfig::from_file(cfg_path);
  auto store = std::make_shared<io::SafetensorsStore>(io::SafetensorsStore::open_dir(dir));
  auto arch = make_architecture(cfg.arch);
  auto specs = all_weights(cfg, *arch);
  std::set<std::string> used;
  LoadReport rep;
  std::map<std::string, torch::Tensor> weights;
  std::optional<c10::ScalarType> file_dtype;
  for (auto& s : specs) {
    if (!store->contains(s.name)) {
      rep.missing.push_back(s.name);
      continue;
    }
    const auto& v = store->get(s.name);
    used.insert(s.name);
    if (v.shape != s.shape) {
      rep.misshaped.push_back(cat(s.name, " (", store->file_of(s.name), " has ", shape_str(v.shape),
                                  ", config.json implies ", shape_str(s.shape), ")"));
      continue;
    }
    auto t = view_tensor(v);
    if (!t.is_floating_point())
      fail(cat(store->file_of(s.name), ": tensor '", s.name, "' has integer dtype ", io::dtype_name(v.dtype)),
           "model weights must be F32, BF16 or F16");
    if (!file_dtype) file_dtype = t.scalar_type();
    weights[s.name] = t;
  }
  if (cfg.tie_word_embeddings && store->contains(cfg.head_name())) used.insert(cfg.head_name());
  for (auto& n : store->names())
    if (!used.count(n) && !ignorable(n)) rep.unexpected.push_back(n);
  if (!rep.missing.empty() || !rep.unexpected.empty() || !rep.misshaped.empty()) {
    std::string msg = dir + ": the weights do not match config.json:";
    if (!rep.missing.empty()) msg += cat(" missing ", rep.missing.size(), ": ", join_some(rep.missing), ";");
    if (!rep.unexpected.empty()) msg += cat(" unexpected ", rep.unexpected.size(), ": ", join_some(rep.unexpected), ";");
    if (!rep.misshaped.empty()) msg += cat(" wrong shape ", rep.misshaped.size(), ": ", join_some(rep.misshaped), ";");
    fail(msg, "check that config.json belongs to these safetensors files (model_type " + cfg.model_type + ")");
  }
  c10::ScalarType dt = opt.dtype ? *opt.dtype : (file_dtype ? *file_dtype : torch::kFloat);
  for (auto& [n, t] : weights) t = t.to(opt.device, dt);  // no copy when dtype and device match
  auto m = std::make_shared<CausalLM>(cfg, std::move(weights));
  m->source_dir_ = dir;
  m->keepalive_ = store;
  log_debug("loaded ", dir, ": ", arch_name(cfg.arch), ", ", cfg.num_params(), " parameters, dtype ",
            c10::toString(dt));
  return m;
}

std::shared_ptr<CausalLM> CausalLM::load(const std::string& dir, const LoadOptions& opt) {
  return load_impl(dir, opt);
}

}  // namespace libu::model
