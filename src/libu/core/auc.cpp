// libu/core/auc.cpp — see auc.h.
#include "libu/core/auc.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "libu/core/error.h"

namespace libu {

double numpy_pairwise_sum(const double* a, size_t n) {
  // numpy: < 8 items summed in order; ≤ 128 items with 8 interleaved accumulators combined
  // as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) then the tail; larger arrays split in two
  // halves (the first a multiple of 8) recursively.
  if (n < 8) {
    double res = 0.0;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + size_t(j)];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return numpy_pairwise_sum(a, n2) + numpy_pairwise_sum(a + n2, n - n2);
}

RocCurve roc_curve(const std::vector<int>& labels, const std::vector<double>& scores,
                   bool drop_intermediate) {
  LIBU_CHECK(labels.size() == scores.size(), "roc_curve: ", labels.size(), " labels but ",
             scores.size(), " scores");
  size_t npos = 0, nneg = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    LIBU_CHECK(labels[i] == 0 || labels[i] == 1, "roc_curve: label ", labels[i], " at index ", i,
               " is not 0 or 1");
    LIBU_CHECK(!std::isnan(scores[i]), "roc_curve: score at index ", i, " is NaN");
    (labels[i] ? npos : nneg) += 1;
  }
  if (npos == 0 || nneg == 0)
    fail(cat("ROC AUC needs both classes: got ", npos, " positives (members) and ", nneg,
             " negatives (non-members)"),
         "give mia.jsonl rows with label \"member\" and rows with label \"nonmember\"");
  // Sort by decreasing score; only groups of equal scores matter.
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  // One ROC point per distinct score (after its whole tie group): cumulative tp, fp.
  std::vector<double> tps, fps, thr;
  double tp = 0, fp = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    (labels[order[k]] ? tp : fp) += 1;
    if (k + 1 == order.size() || scores[order[k + 1]] != scores[order[k]]) {
      tps.push_back(tp);
      fps.push_back(fp);
      thr.push_back(scores[order[k]]);
    }
  }
  if (drop_intermediate && fps.size() > 2) {
    // keep first, last and every point where the second difference is non-zero
    std::vector<double> t2, f2, h2;
    for (size_t i = 0; i < fps.size(); ++i) {
      bool keep = i == 0 || i + 1 == fps.size();
      if (!keep) {
        double dfp = fps[i + 1] - 2 * fps[i] + fps[i - 1];
        double dtp = tps[i + 1] - 2 * tps[i] + tps[i - 1];
        keep = dfp != 0 || dtp != 0;
      }
      if (keep) t2.push_back(tps[i]), f2.push_back(fps[i]), h2.push_back(thr[i]);
    }
    tps.swap(t2), fps.swap(f2), thr.swap(h2);
  }
  RocCurve c;
  c.fpr.push_back(0.0);
  c.tpr.push_back(0.0);
  c.thresholds.push_back(std::numeric_limits<double>::infinity());
  const double fmax = fps.back(), tmax = tps.back();
  for (size_t i = 0; i < fps.size(); ++i) {
    c.fpr.push_back(fps[i] / fmax);
    c.tpr.push_back(tps[i] / tmax);
    c.thresholds.push_back(thr[i]);
  }
  return c;
}

double trapezoid_auc(const std::vector<double>& x, const std::vector<double>& y) {
  LIBU_CHECK(x.size() == y.size() && x.size() >= 2, "trapezoid_auc: need >= 2 points, got ",
             x.size(), " x and ", y.size(), " y");
  std::vector<double> terms(x.size() - 1);
  for (size_t i = 0; i + 1 < x.size(); ++i)
    terms[i] = (x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2.0;
  return numpy_pairwise_sum(terms.data(), terms.size());
}

double roc_auc(const std::vector<int>& labels, const std::vector<double>& scores) {
  RocCurve c = roc_curve(labels, scores, true);
  return trapezoid_auc(c.fpr, c.tpr);  // fpr is non-decreasing: direction +1
}

namespace {
// Σ over members of (#non-members with a higher NLL + ½ #ties), and the number of pairs.
std::pair<double, double> wins_and_pairs(const std::vector<double>& member_nll, std::vector<double> non) {
  non.erase(std::remove_if(non.begin(), non.end(), [](double x) { return std::isnan(x); }), non.end());
  std::sort(non.begin(), non.end());
  double wins = 0, members = 0;
  for (double x : member_nll) {
    if (std::isnan(x)) continue;
    ++members;
    auto lo = std::lower_bound(non.begin(), non.end(), x), hi = std::upper_bound(non.begin(), non.end(), x);
    wins += double(non.end() - hi) + 0.5 * double(hi - lo);
  }
  return {wins, members * double(non.size())};
}
}  // namespace

double loss_attack_auc(const std::vector<double>& member_nll, const std::vector<double>& nonmember_nll) {
  auto [w, p] = wins_and_pairs(member_nll, nonmember_nll);
  return p > 0 ? w / p : std::nan("");
}

double mia_score(double auc) { return 1.0 - 2.0 * std::fabs(auc - 0.5); }

}  // namespace libu
