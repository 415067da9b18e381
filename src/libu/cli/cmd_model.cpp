// libu init | inspect | parity — engine commands.
#include <filesystem>
#include <iostream>

#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/log.h"
#include "libu/io/safetensors.h"
#include "libu/model/causal_lm.h"
#include "libu/model/export.h"
#include "libu/model/parity.h"
#include "libu/model/runtime.h"
#include "libu/text/tokenizer.h"

namespace libu::cli {
namespace {

using model::ModelConfig;

int run_init(const Options& o) {
  int64_t vocab = o.i64("vocab-size");
  std::string tok_file = o.has("tokenizer") ? o.str("tokenizer") : "";
  std::optional<int64_t> eos, pad;
  if (!tok_file.empty()) {
    if (!std::filesystem::exists(tok_file))
      fail(cat(tok_file, ": tokenizer file not found"), "pass a tokenizer.json from `libu tokenizer train` or an HF folder");
    auto tok = text::Tokenizer::from_file(tok_file);
    if (vocab <= 0) vocab = tok.vocab_size();
    eos = tok.eos_id();
    pad = tok.pad_id();
  }
  ModelConfig cfg = model::preset_config(o.str("arch"), o.str("preset"), vocab);
  if (eos) cfg.eos_token_ids = {*eos};
  if (pad) cfg.pad_token_id = *pad;
  auto dtype = model::parse_dtype(o.str("dtype"));
  log_info("init ", o.str("arch"), " preset ", o.str("preset"), ": ", cfg.num_params(), " parameters, ",
           model::dtype_str(dtype), " -> ", o.str("out"));
  model::write_model_folder(o.str("out"), cfg, model::init_weights(cfg, uint64_t(o.i64("seed"))), dtype, "", tok_file);
  std::cout << o.str("out") << "\n";
  return 0;
}

int run_inspect(const Options& o) {
  std::string dir = o.positionals().empty() ? "" : o.positionals()[0];
  if (dir.empty()) fail("inspect needs a model folder", "usage: libu inspect DIR");
  auto cfg = ModelConfig::from_file(dir + "/config.json");
  auto store = io::SafetensorsStore::open_dir(dir);
  nlohmann::json j = {{"model", dir}, {"arch", model::arch_name(cfg.arch)}, {"parameters", cfg.num_params()},
                      {"dtype", cfg.torch_dtype}, {"layers", cfg.num_layers}, {"hidden_size", cfg.hidden_size},
                      {"heads", cfg.num_heads}, {"kv_heads", cfg.num_kv_heads}, {"vocab_size", cfg.vocab_size},
                      {"tied_embeddings", cfg.tie_word_embeddings}};
  int64_t stored = 0;
  nlohmann::json tensors = nlohmann::json::array();
  for (auto& n : store.names()) {
    auto& v = store.get(n);
    stored += v.numel();
    tensors.push_back({{"name", n}, {"dtype", io::dtype_name(v.dtype)}, {"shape", v.shape}});
  }
  j["stored_elements"] = stored;
  if (o.flag("json")) {
    j["tensors"] = tensors;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  for (auto& [k, v] : j.items()) std::cout << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
  std::cout << "tensors (" << tensors.size() << "):\n";
  for (auto& t : tensors)
    std::cout << "  " << t["name"].get<std::string>() << "  " << t["dtype"].get<std::string>() << " "
              << t["shape"].dump() << "\n";
  return 0;
}

int run_parity_cmd(const Options& o) {
  model::ParityOptions po;
  po.atol = o.f64("atol");
  po.grad_rtol = o.f64("grad-rtol");
  po.device = o.str("device");
  auto r = model::run_parity(o.str("model"), o.str("expected"), o.has("adapter") ? o.str("adapter") : "", po);
  std::cout << r.dump() << "\n";
  return r["ok"].get<bool>() ? 0 : 1;
}

Registrar init_reg({"init",
                    "write a randomly initialised HF model folder (tiny, 1b or 7b shapes)",
                    {{"arch", OptType::String, "olmo", "architecture", false, {"olmo", "llama", "olmo2", "qwen2", "llama3", "neox"}},
                     {"preset", OptType::String, "tiny", "model size", false, {"tiny", "1b", "7b"}},
                     {"vocab-size", OptType::Int, "0", "vocabulary size (0 = preset or tokenizer size)"},
                     {"tokenizer", OptType::Path, "", "tokenizer.json to copy in (sets vocab, eos, pad)"},
                     {"dtype", OptType::String, "fp32", "stored dtype", false, {"fp32", "bf16", "fp16"}},
                     {"seed", OptType::Int, "0", "random seed"},
                     {"out", OptType::Path, "", "output folder", true}},
                    run_init});

Registrar inspect_reg({"inspect", "print a model folder's architecture, size, dtype and tensors",
                       {{"json", OptType::Bool, "false", "print JSON"}}, run_inspect, true, "DIR"});

Registrar parity_reg({"parity",
                      "check logits, loss and LoRA gradients against a reference fixture (fp32)",
                      {{"model", OptType::Path, "", "HF model folder", true},
                       {"expected", OptType::Path, "", "expected.safetensors", true},
                       {"adapter", OptType::Path, "", "PEFT adapter folder (enables lora_* and grad checks)"},
                       {"atol", OptType::Float, "1e-4", "absolute tolerance on logits and loss"},
                       {"grad-rtol", OptType::Float, "1e-3", "relative tolerance on LoRA gradients"},
                       {"device", OptType::String, "cpu", "cpu or cuda[:N]"}},
                      run_parity_cmd});

}  // namespace
}  // namespace libu::cli
