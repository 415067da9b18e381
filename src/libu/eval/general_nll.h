// libu/eval/general_nll.h — the utility guard's measurement: the mean per-document NLL of
// never-seen general text that no selection used. A model that "forgets" by getting worse at
// all text shows it here (SemEval-2025 guards this with MMLU ≥ 0.371 on 7B, which means
// nothing on a tiny model; docs/eval.md "General NLL").
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/eval/mia.h"

namespace libu::eval {

struct GeneralNll {
  double nll = 0;         // mean over documents of the mean token NLL (nats)
  size_t documents = 0;
  int64_t tokens = 0;     // scored tokens after truncation
  size_t truncated = 0;
  nlohmann::json to_json(const std::string& source) const;
};

// The documents of PATH: {"document": ...} jsonl (e.g. an MIA non-member file), or SemEval
// records (each row's input + output). Raises Error naming the file when it has none.
std::vector<std::string> general_documents(const std::string& path);
// Mean NLL of `docs` scored on every token like the MIA documents (no BOS, truncated to
// opt.max_length, batched by opt.batch_size).
GeneralNll general_nll(model::CausalLM& model, const text::Tokenizer& tok, const std::vector<std::string>& docs,
                       const MiaOptions& opt);

}  // namespace libu::eval
