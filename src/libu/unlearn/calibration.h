// libu/unlearn/calibration.h — "forget until indistinguishable": how far the forget rows are
// from data the model never saw (BRIEF §3, MIA). The official SemEval-2025 MIA score is
// 1 − 2·|AUC − 0.5| of a loss attack (score = −mean token NLL of a document, member = 1).
// A model that treats the forget set like unseen data sits at AUC 0.5; one that still knows
// it at 1; one pushed past it (the forget set now looks *worse* than unseen text) near 0.
// The trainer measures this on validation forget rows against `--holdout` rows, to select
// states and to stop before overshooting; the calibrated objective and the phase-1 search
// aim at the holdout level τ.
#pragma once
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/unlearn/plan.h"

namespace libu::unlearn {

// Per-row mean token NLL over each row's loss positions [rows] (no gradients, eval mode).
// Rows without loss positions give NaN.
std::vector<double> row_nlls(model::CausalLM& m, const std::vector<data::Example>& ex, int64_t pad_id, int64_t batch);

double mean_of(const std::vector<double>& v);  // NaNs skipped; NaN when nothing is left

// ROC AUC of a loss attack with members = `member_nll`, non-members = `nonmember_nll`,
// score = −NLL (Mann–Whitney: P(score_member > score_nonmember) + ½·P(tie)). Equals
// eval::roc_auc on the same scores (tested). NaN when either side is empty.
double loss_attack_auc(const std::vector<double>& member_nll, const std::vector<double>& nonmember_nll);
// SemEval-2025 mia_final_score = 1 − 2·|AUC − 0.5|.
double mia_score(double auc);

// One calibration measurement of the current model.
struct Calibration {
  double forget_nll = NAN;   // mean per-row NLL of the validation forget rows
  double holdout_nll = NAN;  // mean per-row NLL of the holdout rows
  double retain_nll = NAN;   // mean per-row NLL of the validation retain rows
  double auc = NAN, mia = NAN;
  nlohmann::json to_json() const;
};

struct CalibrationSets {
  const std::vector<data::Example>* forget = nullptr;   // validation forget rows (members)
  const std::vector<data::Example>* holdout = nullptr;  // never-seen rows (non-members), may be empty
  const std::vector<data::Example>* retain = nullptr;   // validation retain rows, may be empty
  int64_t pad_id = 0, batch = 4;
};
Calibration measure_calibration(model::CausalLM& m, const CalibrationSets& s);

}  // namespace libu::unlearn
