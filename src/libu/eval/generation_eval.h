// libu/eval/generation_eval.h — SemEval generations as the official pipeline makes them
// (docs/eval.md "Generation"): greedy decoding from the raw `input` (no chat template, no
// BOS), batched with left padding and a KV cache (model/generate.h), up to max_new_tokens,
// stopping at EOS;
// only the new tokens are decoded, with special tokens skipped and HF's
// clean_up_tokenization_spaces.
#pragma once
#include <string>
#include <vector>

#include "libu/data/batching.h"
#include "libu/eval/semeval_score.h"
#include "libu/io/records.h"
#include "libu/model/causal_lm.h"
#include "libu/text/tokenizer.h"

namespace libu::eval {

struct GenerationOptions {
  int64_t max_new_tokens = 256;
  int64_t batch_size = 8;
};

// The ids generation stops at and pads with. EOS: the model config's eos_token_id(s)
// (config.json / generation_config.json as loaded), else the tokenizer's EOS; raises Error
// when neither exists. Pad: config pad_token_id, else the tokenizer's pad, else the first
// EOS (the value is masked out, so any id is correct).
struct SpecialIds {
  std::vector<int64_t> eos;
  int64_t pad = 0;
};
SpecialIds special_ids(const model::CausalLM& model, const text::Tokenizer& tok);
// text -> token ids without special tokens (no BOS), as the official evaluation encodes.
data::EncodeFn encoder_of(const text::Tokenizer& tok);

// Greedy continuations of `prompts` (encoded without special tokens), decoded as above.
// `label` names the progress bar ("generate forget"). An empty prompt raises Error naming
// `prompt_names[i]` when given.
std::vector<std::string> generate_texts(model::CausalLM& model, const text::Tokenizer& tok,
                                        const std::vector<std::string>& prompts,
                                        const GenerationOptions& opt, const std::string& label,
                                        const std::vector<std::string>& prompt_names = {});

// One prediction row {id, task, output, generation} per record, in record order.
std::vector<PredictionRow> generate_predictions(model::CausalLM& model, const text::Tokenizer& tok,
                                                const std::vector<io::Record>& records,
                                                const GenerationOptions& opt, const std::string& label);

}  // namespace libu::eval
