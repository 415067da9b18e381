// libu/eval/truth_ratio.h — TOFU's truth ratio (Maini et al. 2024, "TOFU: A Task of Fictitious
// Unlearning for LLMs"; OpenUnlearning's `truth_ratio`) on rows that carry paraphrased_answer
// and perturbed_answer (io::Record::paraphrased / perturbed):
//   per row  tr = P_wrong / (P_right + 1e-10), P_right = exp(−L(paraphrased answer)),
//            P_wrong = exp(−mean_j L(perturbed answer j)), L the mean token NLL of the answer
//            given the input (OpenUnlearning's avg_loss);
//   forget   mean(min(tr, 1/(tr + 1e-10)))  ("closer to 1 is better": right and wrong answers
//            equally likely, the model does not know);
//   retain   mean(max(0, 1 − tr))           ("true is better").
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/io/records.h"
#include "libu/model/causal_lm.h"
#include "libu/text/tokenizer.h"

namespace libu::eval {

double truth_ratio_row(double right_loss, const std::vector<double>& wrong_losses);
double truth_ratio_closer_to_1(const std::vector<double>& tr);
double truth_ratio_true_better(const std::vector<double>& tr);

struct TruthRatio {
  double value = NAN;      // the split's aggregate (forget: closer to 1; retain: true better)
  double mean_ratio = NAN; // the plain mean of tr over the rows
  size_t rows = 0;         // rows with a paraphrased and at least one perturbed answer
  nlohmann::json to_json(bool forget) const;
};
// The rows' truth ratio (forget selects the aggregator); rows without both answers are left out
// (rows == 0: nothing to report).
TruthRatio truth_ratio(model::CausalLM& model, const text::Tokenizer& tok, const std::vector<io::Record>& rows,
                       bool forget, int64_t max_length, int64_t batch);

}  // namespace libu::eval
