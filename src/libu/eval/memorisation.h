// libu/eval/memorisation.h — teacher-forced memorisation of the answers (OpenUnlearning's
// definitions, docs/eval.md "Memorisation"):
//   exact memorisation EM (Tirumala et al. 2022): the share of answer tokens whose argmax
//     prediction, given the true prefix, is the answer's token;
//   extraction strength ES (Carlini et al. 2021, as OpenUnlearning computes it): 1 − k/n, k the
//     shortest answer prefix after which every prediction is right, n the answer's tokens; with
//     OpenUnlearning's loop, a row whose last token is wrong gets k = n − 1 (ES = 1/n, not 0).
// Both are means over rows; rows without answer tokens are left out (OpenUnlearning: None).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/io/records.h"
#include "libu/model/causal_lm.h"
#include "libu/text/tokenizer.h"

namespace libu::eval {

// One row's statistics from its answer positions' hits (1 = argmax is the label), in order.
// NaN for an empty row.
double exact_memorisation(const std::vector<uint8_t>& hits);
double extraction_strength(const std::vector<uint8_t>& hits);

struct Memorisation {
  double exact_memorisation = 0, extraction_strength = 0;  // means over the scored rows
  size_t rows = 0;                                          // rows with answer tokens
  size_t skipped = 0;  // rows left without answer tokens (an empty answer, or cut by max_length)
  nlohmann::json to_json() const;
};
// Each record's output scored given its input (encode(input + output), no special tokens, the
// input's positions not scored), in batches of `batch` rows.
Memorisation memorisation(model::CausalLM& model, const text::Tokenizer& tok, const std::vector<io::Record>& rows,
                          int64_t max_length, int64_t batch);

}  // namespace libu::eval
