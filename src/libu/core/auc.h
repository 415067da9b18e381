// libu/core/auc.h — ROC AUC exactly as scikit-learn 1.2 computes
// `auc(*roc_curve(labels, scores)[:2])` (docs/eval.md "AUC"): thresholds at every distinct score,
// ties grouped into one ROC step (so a tie contributes a diagonal segment, i.e. 1/2),
// collinear points dropped (drop_intermediate=True), then the trapezoid rule summed with
// numpy's pairwise summation. Bit-for-bit with the goldens. No torch.
#pragma once
#include <cstddef>
#include <vector>

namespace libu {

struct RocCurve {
  std::vector<double> fpr, tpr, thresholds;  // thresholds[0] = +inf, like sklearn ≥ 1.3
};

// labels: 1 = positive (member), 0 = negative. Needs ≥ 1 positive and ≥ 1 negative and no
// NaN score; raises libu::Error otherwise.
RocCurve roc_curve(const std::vector<int>& labels, const std::vector<double>& scores,
                   bool drop_intermediate = true);
// np.trapz(y, x) with numpy's summation order.
double trapezoid_auc(const std::vector<double>& x, const std::vector<double>& y);
double roc_auc(const std::vector<int>& labels, const std::vector<double>& scores);

// The loss attack's AUC from NLLs: the share of (member, non-member) pairs whose non-member has
// the higher NLL, ties ½ (Mann–Whitney: the same value as roc_auc with members positive and
// score −NLL, tested to 1e-12, counted in O(n log n) from sorted non-members). NaN entries are
// dropped; NaN when either side is then empty (roc_auc raises instead).
double loss_attack_auc(const std::vector<double>& member_nll, const std::vector<double>& nonmember_nll);
// The official MIA score of an AUC: 1 − 2·|AUC − 0.5| (1 = indistinguishable; docs/eval.md).
double mia_score(double auc);

// numpy's pairwise summation of a contiguous float64 array (np.add.reduce).
double numpy_pairwise_sum(const double* a, size_t n);

}  // namespace libu
