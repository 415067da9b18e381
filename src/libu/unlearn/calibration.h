// libu/unlearn/calibration.h — "forget until indistinguishable": how far the forget rows are
// from data the model never saw (docs/eval.md "MIA"). The official SemEval-2025 MIA score is
// 1 − 2·|AUC − 0.5| of a loss attack (score = −mean token NLL of a document, member = 1).
// A model that treats the forget set like unseen data sits at AUC 0.5; one that still knows
// it at 1; one pushed past it (the forget set now looks *worse* than unseen text) near 0.
// The trainer measures this on validation forget rows against `--holdout` rows, to select
// states and to stop before overshooting; the calibrated objective and the phase-1 search
// aim at the holdout level τ.
#pragma once
#include "libu/core/auc.h"
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/unlearn/plan.h"
#include "libu/unlearn/row_scores.h"

namespace libu::unlearn {

// The rows a selection measures: `given` (validation rows) when there are any, else the first
// 64 of `training`, with a warning naming `flag` and `use` on every path that falls back (a
// selection on training rows scores rows that are also reported).
std::vector<data::Example> selection_rows(const std::vector<data::Example>& given,
                                          const std::vector<data::Example>& training, const std::string& flag,
                                          const std::string& use);

// loss_attack_auc and mia_score live in core/auc.h (one copy for eval and unlearn).
// The loss attack's AUC per row kind (row_kind of the ids): member/non-member pairs are compared only
// within a kind, so a mixture of short QA rows and long documents cannot look
// indistinguishable on average while each kind is not. Members of a kind the non-members lack
// are compared with every non-member (key "*").
std::map<std::string, double> auc_by_kind(const std::vector<double>& member_nll, const std::vector<std::string>& member_kind,
                                          const std::vector<double>& nonmember_nll,
                                          const std::vector<std::string>& nonmember_kind);

// The kind of a row, by the official row-type rule (docs/eval.md): the id without its last
// character ends in "sc" (sentence completion) or "qa"; anything else is "".
std::string row_kind(const std::string& id);

// The forget rows' weights in the calibrated objective's mean, mean 1 over the set (--calib-weight):
// "kind" gives every row kind the same total weight, "tokens" each row its share of the scored
// tokens.
void set_forget_weights(std::vector<data::Example>& forget, const std::string& rule);

// Never-seen NLL levels per row kind, from the holdout rows and their NLLs: each kind with at
// least `min_rows` holdout rows gets its own mean; every other row gets the overall mean.
// A QA row and a biography do not sit at the same NLL when unseen, so each forget row is aimed
// at the level of its own kind.
struct HoldoutLevels {
  double overall = NAN;
  std::map<std::string, double> by_kind;
  double of(const std::string& id) const;
  nlohmann::json to_json() const;
};
HoldoutLevels holdout_levels(const std::vector<data::Example>& holdout, const std::vector<double>& nll,
                             size_t min_rows = 3);

// The holdout's token-NLL distribution per row kind, for --calib-target tokens: `table` is
// [K + 1, Q] fp32, row k the Q quantiles (at (i + 0.5)/Q) of the pooled token NLLs of the
// holdout rows of kinds[k] (kinds with at least `min_rows` rows), the last row those of every
// holdout row. index_of(id) is the row a forget row of that id aims at (-1: the last).
struct TokenQuantiles {
  std::vector<std::string> kinds;
  torch::Tensor table;
  int64_t index_of(const std::string& id) const;
  nlohmann::json to_json() const;  // {kind: {p10, p50, p90}} for run.json
};
TokenQuantiles holdout_token_quantiles(model::CausalLM& m, const std::vector<data::Example>& holdout, int64_t pad_id,
                                       int64_t batch, int64_t q = 64, size_t min_rows = 3);

// The holdout's mean token NLL per label id, for --calib-target vocab: [vocab] fp32, entry v =
// (Σ NLL of holdout tokens labelled v + prior·μ) / (their count + prior), μ the holdout's mean
// token NLL, so an id seen once moves half-way from μ and an id never seen in the holdout gets μ.
// Frequent, predictable ids (function words, punctuation) get low targets and are left alone;
// names and rare content ids get high ones.
torch::Tensor holdout_vocab_targets(model::CausalLM& m, const std::vector<data::Example>& holdout, int64_t pad_id,
                                    int64_t batch, int64_t vocab, double prior = 1.0);

// One calibration measurement of the current model.
struct Calibration {
  double forget_nll = NAN;   // mean per-row NLL of the validation forget rows
  double holdout_nll = NAN;  // mean per-row NLL of the holdout rows
  double retain_nll = NAN;   // mean per-row NLL of the validation retain rows
  double retain_exact = NAN; // share of validation retain rows reproduced exactly (teacher-forced argmax)
  double retain_token_acc = NAN;
  double general_nll = NAN;  // mean per-document NLL of never-seen general text (the utility guard)
  double auc = NAN, mia = NAN;  // mean over kinds of the per-kind AUC, and of the per-kind MIA score
  std::map<std::string, double> kind_auc;
  std::map<std::string, double> forget_by_kind, holdout_by_kind;  // mean row NLL per kind (qa, sc, ...)
  std::vector<double> holdout_rows;  // per-row NLL of the holdout (for the per-kind levels τ)
  nlohmann::json to_json() const;
};

struct CalibrationSets {
  const std::vector<data::Example>* forget = nullptr;   // validation forget rows (members)
  const std::vector<data::Example>* holdout = nullptr;  // never-seen rows (non-members), may be empty
  const std::vector<data::Example>* retain = nullptr;   // validation retain rows, may be empty
  const std::vector<data::Example>* general = nullptr;  // never-seen general documents, may be empty
  int64_t pad_id = 0, batch = 4;
  const std::vector<std::string>* mia_kinds = nullptr;  // kinds the AUC / MIA score average (null or empty: all)
};
Calibration measure_calibration(model::CausalLM& m, const CalibrationSets& s);

}  // namespace libu::unlearn
