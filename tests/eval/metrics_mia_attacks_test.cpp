// MUSE / OpenUnlearning MIA statistics (torch-free parts). Expected zlib lengths come from
// Python 3.11 `len(zlib.compress(text.encode("utf-8")))`.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "libu/core/error.h"
#include "libu/eval/mia_attacks.h"

using namespace libu;

TEST(MetricsMia, ZlibMatchesPython) {
  EXPECT_EQ(eval::zlib_compressed_size(""), 8u);
  EXPECT_EQ(eval::zlib_compressed_size("hello world"), 19u);
  std::string rep;
  for (int i = 0; i < 5; ++i) rep += "The quick brown fox jumps over the lazy dog. ";
  EXPECT_EQ(eval::zlib_compressed_size(rep), 55u);
  EXPECT_EQ(eval::zlib_compressed_size("caf\xC3\xA9 \xE6\x9D\xB1\xE4\xBA\xAC"), 21u);
  EXPECT_DOUBLE_EQ(eval::zlib_ratio(1.9, "hello world"), 1.9 / 19.0);
}

TEST(MetricsMia, MinKPercent) {
  // 10 tokens: k=0.1 → 1 token, 0.2 → 2, 0.4 → 4 (Python int(n*k), at least 1).
  std::vector<double> lp = {-0.1, -5.0, -0.2, -3.0, -0.3, -1.0, -0.4, -2.0, -0.5, -4.0};
  EXPECT_DOUBLE_EQ(eval::min_k_percent(lp, 0.1), 5.0);
  EXPECT_DOUBLE_EQ(eval::min_k_percent(lp, 0.2), 4.5);
  EXPECT_DOUBLE_EQ(eval::min_k_percent(lp, 0.4), 3.5);
  EXPECT_EQ(eval::min_k_count(3, 0.2), 1u);   // int(0.6) = 0 → 1
  EXPECT_EQ(eval::min_k_count(15, 0.2), 3u);  // 15*0.2 = 3.0000000000000004 → 3
  EXPECT_EQ(eval::min_k_count(7, 0.4), 2u);
  EXPECT_THROW(eval::min_k_percent({}, 0.2), Error);
  EXPECT_THROW(eval::min_k_percent(lp, 0.0), Error);
}

TEST(MetricsMia, MinKPlusPlus) {
  // Two-token vocabulary, p = (0.75, 0.25) at every position.
  const float row[2] = {float(std::log(0.75)), float(std::log(0.25))};
  auto m = eval::logprob_moments(row, 2);
  const double l1 = row[0], l2 = row[1];
  const double mu = 0.75 * l1 + 0.25 * l2;
  EXPECT_NEAR(m.mu, mu, 1e-7);  // p = exp(float log p) ≈ 0.75
  EXPECT_NEAR(m.var, 0.75 * l1 * l1 + 0.25 * l2 * l2 - mu * mu, 1e-7);
  // tokens: likely, unlikely, likely → z = (l − mu)/σ; k = 0.4 of 3 → 1 token (the lowest).
  std::vector<double> lp = {l1, l2, l1}, mus(3, m.mu), vars(3, m.var);
  const double z_low = (l2 - m.mu) / std::sqrt(m.var);
  EXPECT_NEAR(eval::min_k_plus_plus(lp, mus, vars, 0.4), -z_low, 1e-12);
  // k = 1: −mean of all z.
  const double z_high = (l1 - m.mu) / std::sqrt(m.var);
  EXPECT_NEAR(eval::min_k_plus_plus(lp, mus, vars, 1.0), -(2 * z_high + z_low) / 3, 1e-12);
  // variance clamp at 1e-6 (OpenUnlearning): a certain model gives var 0.
  EXPECT_NEAR(eval::min_k_plus_plus({-0.5}, {-0.5 + 1e-3}, {0.0}, 0.2), 1.0, 1e-9);
  EXPECT_THROW(eval::min_k_plus_plus({-1.0}, {}, {}, 0.2), Error);
}

TEST(MetricsMia, PrivLeak) {
  EXPECT_DOUBLE_EQ(eval::privleak(0.6, 0.5), 20.0);
  EXPECT_DOUBLE_EQ(eval::privleak(0.4, 0.5), -20.0);
  EXPECT_THROW(eval::privleak(0.5, 0.0), Error);
}
