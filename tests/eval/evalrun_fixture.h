// Test fixture for the model-driven eval tests: a tiny random OLMo whose vocabulary is the
// real tiny-random-gpt2 tokenizer (../shared/data/tokenizers), written once per process
// with libu's own init + write_model_folder.
#pragma once
#include <string>

#include "common/shared.h"
#include "libu/model/causal_lm.h"
#include "libu/model/config.h"
#include "libu/model/export.h"
#include "libu/text/tokenizer.h"

namespace libu::test {

inline std::string tiny_tokenizer_file() {
  return shared_path("data/tokenizers/tiny-random-gpt2_vocab1000.tokenizer.json");
}

// HF folder: config.json (eos = the tokenizer's <|endoftext|>), model.safetensors (fp32),
// tokenizer.json.
inline std::string tiny_model_dir() {
  static const std::string dir = [] {
    auto tok = text::Tokenizer::from_file(tiny_tokenizer_file());
    auto cfg = model::preset_config("olmo", "tiny", int64_t(tok.vocab_size()));
    cfg.num_layers = 2;
    if (tok.eos_id()) cfg.eos_token_ids = {int64_t(*tok.eos_id())};
    cfg.pad_token_id = tok.pad_id() ? int64_t(*tok.pad_id()) : cfg.eos_token_ids.at(0);
    std::string d = temp_dir("evalrun_tiny_model") + "/model";
    auto w = model::init_weights(cfg, 7);
    // normal(0, 0.02) layers barely touch the tied-embedding residual, so greedy decoding
    // would just repeat the last token; larger layer weights give prompt-dependent text.
    for (auto& [name, t] : w)
      if (name.find("layers.") != std::string::npos && t.dim() == 2) t.mul_(12.0);
    model::write_model_folder(d, cfg, w, torch::kFloat, "", tiny_tokenizer_file());
    return d;
  }();
  return dir;
}

}  // namespace libu::test
