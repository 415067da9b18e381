// libu/eval/auc.h — ROC AUC exactly as scikit-learn 1.2 computes
// `auc(*roc_curve(labels, scores)[:2])` (docs/eval.md "AUC"): thresholds at every distinct score,
// ties grouped into one ROC step (so a tie contributes a diagonal segment, i.e. 1/2),
// collinear points dropped (drop_intermediate=True), then the trapezoid rule summed with
// numpy's pairwise summation. Bit-for-bit with the goldens. No torch.
#pragma once
#include <cstddef>
#include <vector>

namespace libu::eval {

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

// numpy's pairwise summation of a contiguous float64 array (np.add.reduce).
double numpy_pairwise_sum(const double* a, size_t n);

}  // namespace libu::eval
