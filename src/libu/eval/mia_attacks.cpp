// libu/eval/mia_attacks.cpp — see mia_attacks.h.
#include "libu/eval/mia_attacks.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>

#include "libu/core/error.h"

namespace libu::eval {

size_t zlib_compressed_size(std::string_view s) {
  uLongf cap = compressBound(uLong(s.size()));
  std::vector<Bytef> buf(cap);
  int rc = compress2(buf.data(), &cap, reinterpret_cast<const Bytef*>(s.data()), uLong(s.size()),
                     Z_DEFAULT_COMPRESSION);
  if (rc != Z_OK) fail_internal(cat("zlib compress2 failed with code ", rc));
  return size_t(cap);
}

double zlib_ratio(double loss, std::string_view document) {
  return loss / double(zlib_compressed_size(document));  // never 0: zlib adds a header
}

size_t min_k_count(size_t n, double k) {
  LIBU_CHECK(k > 0 && k <= 1, "Min-K%: k must be in (0, 1], got ", k);
  auto c = size_t(std::trunc(double(n) * k));
  return std::max<size_t>(1, c);
}

static double neg_mean_lowest(std::vector<double> v, double k, const char* what) {
  LIBU_CHECK(!v.empty(), what, ": the document has no scored token");
  size_t c = std::min(min_k_count(v.size(), k), v.size());
  std::partial_sort(v.begin(), v.begin() + long(c), v.end());
  double s = 0;
  for (size_t i = 0; i < c; ++i) s += v[i];
  return -(s / double(c));
}

double min_k_percent(const std::vector<double>& token_logprobs, double k) {
  return neg_mean_lowest(token_logprobs, k, "Min-K%");
}

LogProbMoments logprob_moments(const float* lp, size_t V) {
  double mu = 0, m2 = 0;
  for (size_t v = 0; v < V; ++v) {
    double l = lp[v], p = std::exp(l);
    if (p == 0) continue;  // p·log p → 0 (also avoids 0·(−inf))
    mu += p * l;
    m2 += p * l * l;
  }
  return {mu, m2 - mu * mu};
}

double min_k_plus_plus(const std::vector<double>& lp, const std::vector<double>& mu,
                       const std::vector<double>& var, double k) {
  LIBU_CHECK(lp.size() == mu.size() && lp.size() == var.size(), "Min-K%++: ", lp.size(),
             " token log-probs but ", mu.size(), " means and ", var.size(), " variances");
  std::vector<double> z(lp.size());
  for (size_t t = 0; t < lp.size(); ++t) z[t] = (lp[t] - mu[t]) / std::sqrt(std::max(var[t], 1e-6));
  return neg_mean_lowest(std::move(z), k, "Min-K%++");
}

double privleak(double auc_unlearned, double auc_reference) {
  if (auc_reference == 0)
    fail("PrivLeak: the reference model's AUC is 0, the ratio is undefined",
         "check the reference (retrained) model's MIA scores");
  return (auc_unlearned - auc_reference) / auc_reference * 100.0;
}

}  // namespace libu::eval
