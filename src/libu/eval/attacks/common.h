// libu/eval/attacks/common.h — what the robustness attacks share (docs/robustness.md):
// the official per-row score, per-kind means over a set of rows, a model's official
// generation metrics (+ MIA AUC), and a merged copy of a model with its adapter folded in.
#pragma once
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/eval/generation_eval.h"
#include "libu/eval/mia.h"
#include "libu/eval/semeval_score.h"
#include "libu/io/records.h"
#include "libu/model/causal_lm.h"
#include "libu/text/tokenizer.h"

namespace libu::eval::attacks {

// The official score of one row (docs/eval.md): SC rows ROUGE-L recall (regurgitation), QA rows
// exact match (knowledge), after the official CSV round trip of the generation.
double official_row_score(const io::Record& r, const std::string& generation);

// Means over SC rows (regurgitation) and QA rows (knowledge); NaN for a kind with no rows.
struct KindMeans {
  double knowledge = NAN, regurgitation = NAN;
  size_t qa = 0, sc = 0;
  // The mean of the kinds present: one number for "how much of these rows the model gives back".
  double score() const;
  nlohmann::json to_json() const;
};
KindMeans kind_means(const std::vector<io::Record>& rows, const std::vector<double>& scores);

// JSON number, or null when not finite.
nlohmann::json num_or_null(double v);

// The official generation metrics of a model on forget/retain (+ the MIA loss AUC when mia_dir
// is set), as `libu eval run` computes them, without writing files.
struct ModelMetrics {
  SemevalResult score;
  std::vector<double> forget_scores, retain_scores;  // per row, record order
  nlohmann::json to_json() const;  // forget/retain regurgitation+knowledge, task_aggregate, mia_auc, mia_score
};
struct MetricsInputs {
  const std::vector<io::Record>* forget = nullptr;
  const std::vector<io::Record>* retain = nullptr;
  std::string mia_dir;  // optional
  GenerationOptions generation;
  MiaOptions mia;
};
ModelMetrics official_metrics(model::CausalLM& model, const text::Tokenizer& tok, const MetricsInputs& in,
                              const std::string& label);

// A new model whose weights are `m`'s with its LoRA adapter merged in (W + (α/r)·B·A, in m's
// dtype), without an adapter. Unmodified weights are shared with `m`, never copied or changed.
std::shared_ptr<model::CausalLM> merged_copy(const model::CausalLM& m);

}  // namespace libu::eval::attacks
