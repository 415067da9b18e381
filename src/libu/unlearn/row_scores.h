// libu/unlearn/row_scores.h — per-row statistics of unlearning examples (no gradients, eval
// mode), from model::token_scores (lm_head.h), the one place per-token NLLs are computed. Used
// by selection and calibration (calibration.h), phase 1's η search and the relearning attack.
#pragma once
#include <vector>

#include "libu/model/causal_lm.h"
#include "libu/unlearn/plan.h"

namespace libu::unlearn {

// Per-row statistics over each row's loss positions; rows without loss positions give NaN.
// Batches of `batch` rows in order; under `libu launch` batch j runs on rank j mod W and the
// rows are gathered back, so every rank gets the numbers of a one-process run.
struct RowStats {
  std::vector<double> nll;        // mean token NLL
  std::vector<double> token_acc;  // share of positions whose argmax is the label (teacher forcing)
  std::vector<double> exact;      // 1 when every position's argmax is the label: greedy decoding
                                  // reproduces the reference (the knowledge proxy), else 0
  std::vector<double> extraction;  // max(s, 1)/n, s the all-correct suffix of the n positions:
                                   // OpenUnlearning's extraction strength (eval/memorisation.h)
};
RowStats row_stats(model::CausalLM& m, const std::vector<data::Example>& ex, int64_t pad_id, int64_t batch);
std::vector<double> row_nlls(model::CausalLM& m, const std::vector<data::Example>& ex, int64_t pad_id, int64_t batch);

// Each row's token NLLs at its loss positions, in position order (every rank computes all rows).
std::vector<std::vector<float>> row_token_nlls(model::CausalLM& m, const std::vector<data::Example>& ex,
                                               int64_t pad_id, int64_t batch);

double mean_of(const std::vector<double>& v);  // NaNs skipped; NaN when nothing is left

}  // namespace libu::unlearn
