// Sophia (Liu et al., ICLR 2024), variants g / seed / h (docs/unlearning.md): each step
// against the formulas evaluated by hand (literal numbers) or by a scalar fp64
// re-implementation written from those update rules, on small tensors; Hutchinson's estimator
// against exact Hessian diagonals (themselves checked by finite differences); the GNB label
// sampler against softmax.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "libu/core/error.h"
#include "libu/core/rng.h"
#include "common/device.h"
#include "libu/optim/factory.h"
#include "libu/optim/sophia.h"

using namespace libu;
using namespace libu::optim;

namespace {

// Parameters and gradients live on LIBU_TEST_DEVICE (default cpu): the same formulas on CUDA.
torch::Tensor param(const std::vector<double>& v) {
  std::vector<float> f(v.begin(), v.end());
  return torch::tensor(f).to(test::device()).set_requires_grad(true);
}
torch::Tensor vec(const std::vector<double>& v) {
  std::vector<float> f(v.begin(), v.end());
  return torch::tensor(f).to(test::device());
}
std::vector<double> to_vec(const torch::Tensor& t) {
  auto c = t.detach().cpu().to(torch::kFloat64).contiguous().view({-1});
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}
// fp32 result vs fp64 reference: relative 2e-6 plus absolute 1e-7.
void expect_close(const std::vector<double>& expected, const torch::Tensor& got, const char* what,
                  double rtol = 2e-6, double atol = 1e-7) {
  auto g = to_vec(got);
  ASSERT_EQ(expected.size(), g.size()) << what;
  for (size_t i = 0; i < g.size(); ++i)
    EXPECT_NEAR(g[i], expected[i], atol + rtol * std::abs(expected[i]))
        << what << "[" << i << "]: expected " << expected[i] << ", got " << g[i];
}
double sgn(double x) { return (x > 0) - (x < 0); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Variant g (official SophiaG)

TEST(SophiaG, FirstStepByHand) {
  // h = 0 before any Hessian update, so |m|/(ρ·bs·0 + 1e-15) ≥ 1 wherever m ≠ 0: a sign step.
  // θ0 = [0.5, −1, 2, 0.25], g = [0.1, −0.2, 0, 0.3], lr 0.1, wd 0.1:
  //   θ·(1 − 0.01) = [0.495, −0.99, 1.98, 0.2475]; minus 0.1·sign(m) = [0.395, −0.89, 1.98, 0.1475].
  //   Coordinate 2 has m = 0 → ratio 0, not clipped: win-rate 1/4.
  auto p = param({0.5, -1.0, 2.0, 0.25});
  Sophia opt({p}, SophiaOptions::defaults(SophiaVariant::G));
  EXPECT_TRUE(std::isnan(opt.last_win_rate()));
  opt.step({vec({0.1, -0.2, 0.0, 0.3})}, /*lr=*/0.1, /*tokens=*/10);
  expect_close({0.395, -0.89, 1.98, 0.1475}, p, "theta");
  // m = (1 − 0.965)·g = 0.035·g
  expect_close({0.0035, -0.007, 0.0, 0.0105}, opt.exp_avg()[0], "m");
  EXPECT_DOUBLE_EQ(opt.last_win_rate(), 0.25);
  EXPECT_EQ(opt.step_stats()["win_rate"].get<double>(), 0.25);
  EXPECT_EQ(opt.steps_taken(), 1);
}

TEST(SophiaG, StepsWithHessianClippingAndWinRateMatchFormula) {
  // Scalar fp64 re-implementation of SophiaG (`g`), over 6 steps with k = 2, two tensors.
  SophiaOptions o = SophiaOptions::defaults(SophiaVariant::G);
  o.hessian_interval = 2;
  const double lr = 0.05, b1 = o.beta1, b2 = o.beta2, rho = o.rho, wd = o.weight_decay;
  const int64_t bs = 1000;
  std::vector<std::vector<double>> th = {{0.5, -1.0, 2.0}, {0.25, -0.75}};
  auto pa = param(th[0]), pb = param(th[1]);
  Sophia opt({pa, pb}, o, {"a", "b"});
  std::vector<std::vector<double>> m = {{0, 0, 0}, {0, 0}}, h = m;
  bool saw_clipped = false, saw_unclipped = false;
  for (int step = 1; step <= 6; ++step) {
    // Gradients and sampled-label gradients as fixed functions of the step.
    std::vector<std::vector<double>> g(2), gh(2);
    for (int t = 0; t < 2; ++t)
      for (size_t i = 0; i < th[t].size(); ++i) {
        g[t].push_back(0.3 * std::sin(1.3 * step + 2.1 * i + t) );
        gh[t].push_back(std::cos(0.7 * step + i + 3.0 * t) * (i == 1 ? 0.05 : 1.0));
      }
    opt.step({vec(g[0]), vec(g[1])}, lr, bs);
    int64_t not_clipped = 0, total = 0;
    for (int t = 0; t < 2; ++t)
      for (size_t i = 0; i < th[t].size(); ++i) {
        th[t][i] *= 1 - lr * wd;
        m[t][i] = b1 * m[t][i] + (1 - b1) * g[t][i];
        double ratio = std::abs(m[t][i]) / (rho * bs * h[t][i] + 1e-15);
        not_clipped += ratio < 1;
        ++total;
        th[t][i] -= lr * sgn(m[t][i]) * std::min(ratio, 1.0);
      }
    const double win = double(not_clipped) / double(total);
    EXPECT_DOUBLE_EQ(opt.last_win_rate(), win) << "step " << step;
    saw_clipped |= not_clipped < total;
    saw_unclipped |= not_clipped > 0 && step > 2;
    expect_close(th[0], pa, "theta a");
    expect_close(th[1], pb, "theta b");
    // Official loop: the Hessian is refreshed after steps k, 2k, ... on the current batch.
    EXPECT_EQ(opt.hessian_due(), step % 2 == 0) << "step " << step;
    if (opt.hessian_due()) {
      opt.update_hessian_gnb({vec(gh[0]), vec(gh[1])});
      for (int t = 0; t < 2; ++t)
        for (size_t i = 0; i < th[t].size(); ++i) h[t][i] = b2 * h[t][i] + (1 - b2) * gh[t][i] * gh[t][i];
      expect_close(h[0], opt.hessian()[0], "h a", 1e-5);
      expect_close(h[1], opt.hessian()[1], "h b", 1e-5);
    }
  }
  EXPECT_TRUE(saw_clipped);
  EXPECT_TRUE(saw_unclipped);  // both branches of the min() were exercised
  EXPECT_EQ(opt.hessian_updates(), 3);
}

// --sophia-warm: an estimate is due before the first step, and the denominator uses the
// bias-corrected ĥ = h/(1 − β2^n) after n estimates (a scalar fp64 re-implementation).
TEST(SophiaG, WarmStartEstimatesFirstAndBiasCorrects) {
  SophiaOptions o = SophiaOptions::defaults(SophiaVariant::G);
  o.warm = true;
  o.hessian_interval = 3;
  const double lr = 0.05, b1 = o.beta1, b2 = o.beta2, rho = o.rho, wd = o.weight_decay;
  const int64_t bs = 200;
  std::vector<double> th = {0.5, -1.0, 2.0}, m = {0, 0, 0}, h = {0, 0, 0};
  auto p = param(th);
  Sophia opt({p}, o);
  int n = 0;
  bool saw_unclipped_first = false;
  for (int step = 1; step <= 7; ++step) {
    if (step == 1) EXPECT_TRUE(opt.hessian_due()) << "warm: an estimate before the first step";
    if (opt.hessian_due()) {
      std::vector<double> gh = {0.02 * step, -0.01, 0.03 / step};
      opt.update_hessian_gnb({vec(gh)});
      for (size_t i = 0; i < 3; ++i) h[i] = b2 * h[i] + (1 - b2) * gh[i] * gh[i];
      ++n;
    }
    EXPECT_FALSE(step == 1 && opt.hessian_due());
    std::vector<double> g = {0.01 * std::sin(step), -0.002 * step, 0.004};
    opt.step({vec(g)}, lr, bs);
    const double hb = 1 - std::pow(b2, n);
    for (size_t i = 0; i < 3; ++i) {
      th[i] *= 1 - lr * wd;
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      double ratio = std::abs(m[i]) / (rho * bs * h[i] / hb + 1e-15);
      saw_unclipped_first |= step == 1 && ratio < 1;
      th[i] -= lr * sgn(m[i]) * std::min(ratio, 1.0);
    }
    expect_close(th, p, "theta");
  }
  EXPECT_TRUE(saw_unclipped_first) << "the first step already uses the curvature";
  EXPECT_EQ(opt.hessian_updates(), 3);  // before step 1, after steps 3 and 6
  EXPECT_TRUE(o.to_json()["warm"].get<bool>());
  EXPECT_FALSE(SophiaOptions::defaults(SophiaVariant::G).to_json().contains("warm"));
}

TEST(SophiaG, RequiresTokensAndRejectsBadInputs) {
  auto p = param({1.0, 2.0});
  Sophia opt({p}, SophiaOptions::defaults(SophiaVariant::G));
  EXPECT_THROW(opt.step({vec({0.1, 0.1})}, 0.1, 0), Error);
  EXPECT_THROW(opt.step({vec({0.1, 0.1, 0.1})}, 0.1, 4), Error);  // wrong shape
  EXPECT_THROW(opt.update_hessian({vec({1.0})}), Error);
  EXPECT_THROW(make_optimizer("sgd", {p}, {}), Error);
  EXPECT_THROW(parse_sophia_variant("G2"), Error);
  SophiaOptions bad = SophiaOptions::defaults(SophiaVariant::G);
  bad.beta1 = 1.0;
  EXPECT_THROW(Sophia({p}, bad), Error);
}

TEST(SophiaG, UsesParamGradAndSkipsUndefined) {
  auto a = param({1.0, 2.0});
  auto b = param({3.0});
  Sophia opt({a, b}, SophiaOptions::defaults(SophiaVariant::G));
  (a * a).sum().backward();  // grad a = [2, 4]; b has no grad
  opt.step(0.1, 16);
  expect_close({0.99 * 1.0 - 0.1, 0.99 * 2.0 - 0.1}, a, "a");
  expect_close({3.0}, b, "b untouched");
  opt.zero_grad();
  EXPECT_FALSE(a.grad().defined());
}

TEST(SophiaG, NonFp32ParamsKeepFp32State) {
  auto p = torch::tensor({1.0f, -2.0f}).to(torch::kBFloat16).set_requires_grad(true);
  Sophia opt({p}, SophiaOptions::defaults(SophiaVariant::G));
  opt.step({torch::tensor({0.5f, 0.5f}).to(torch::kBFloat16)}, 0.25, 4);
  EXPECT_EQ(opt.exp_avg()[0].scalar_type(), torch::kFloat32);
  EXPECT_EQ(opt.hessian()[0].scalar_type(), torch::kFloat32);
  EXPECT_EQ(p.scalar_type(), torch::kBFloat16);
  // 1·0.975 − 0.25 = 0.725 → bf16 0.7265625; −2·0.975 − 0.25 = −2.2 → bf16 −2.203125
  expect_close({0.7265625, -2.203125}, p, "bf16 theta", 0, 1e-7);
}

// ---------------------------------------------------------------------------------------------
// Variant seed (the published code)

TEST(SophiaSeed, FirstStepByHandWithCertainHessianUpdate) {
  // hessian_prob = 1: h is updated on step 1. t = 1: m̂ = g, ĥ = g⊙g, update = clamp(1/(γ g), ±1).
  // g = [2, 0.5, −4]: 1/(1.15·2) = 0.4347826…, 1/(1.15·0.5) = 1.739 → 1, 1/(1.15·−4) = −0.2173913…
  SophiaOptions o = SophiaOptions::defaults(SophiaVariant::Seed);
  o.hessian_prob = 1.0;
  auto p = param({1.0, 1.0, 1.0});
  Sophia opt({p}, o);
  opt.step({vec({2.0, 0.5, -4.0})}, /*lr=*/0.1, 0);
  expect_close({1.0 - 0.1 / (1.15 * 2.0), 1.0 - 0.1, 1.0 + 0.1 / (1.15 * 4.0)}, p, "theta");
  expect_close({0.2, 0.05, -0.4}, opt.exp_avg()[0], "m = 0.1·g");
  expect_close({0.004, 0.00025, 0.016}, opt.hessian()[0], "h = 0.001·g²");
  EXPECT_NEAR(opt.last_win_rate(), 2.0 / 3.0, 1e-15);
  EXPECT_FALSE(opt.hessian_due());
  EXPECT_EQ(opt.hessian_source(), HessianSource::None);
  EXPECT_THROW(opt.update_hessian({vec({1.0, 1.0, 1.0})}), Error);
}

TEST(SophiaSeed, FirstStepWithoutHessianIsClampedSign) {
  // hessian_prob = 0: ĥ = 0 → max(γ·0, 1e-8) = 1e-8, so every m̂ ≠ 0 saturates the clamp.
  SophiaOptions o = SophiaOptions::defaults(SophiaVariant::Seed);
  o.hessian_prob = 0.0;
  auto p = param({1.0, 1.0, 1.0});
  Sophia opt({p}, o);
  opt.step({vec({1e-3, 0.0, -2.0})}, 0.1, 0);
  expect_close({0.9, 1.0, 1.1}, p, "theta");
  EXPECT_NEAR(opt.last_win_rate(), 1.0 / 3.0, 1e-15);
}

TEST(SophiaSeed, RandomHessianUpdatesBiasCorrectionMatchFormula) {
  // hessian_prob 0.5 with a fixed seed; the reference replays the same libu::Rng draws
  // (one per tensor per step, tensor order) and the variant's update rules in fp64.
  SophiaOptions o = SophiaOptions::defaults(SophiaVariant::Seed);
  o.hessian_prob = 0.5;
  o.seed = 1234;
  o.weight_decay = 0.01;  // exercise the optional decoupled decay too
  const double lr = 0.02, b1 = o.beta1, b2 = o.beta2, gamma = o.gamma, wd = o.weight_decay;
  std::vector<std::vector<double>> th = {{0.5, -1.0, 2.0, 0.1}, {0.25, -0.75}};
  auto pa = param(th[0]), pb = param(th[1]);
  Sophia opt({pa, pb}, o);
  Rng ref_rng(1234);
  std::vector<std::vector<double>> m = {{0, 0, 0, 0}, {0, 0}}, h = m;
  int updates = 0, skips = 0;
  for (int t = 1; t <= 12; ++t) {
    std::vector<std::vector<double>> g(2);
    for (int k = 0; k < 2; ++k)
      for (size_t i = 0; i < th[k].size(); ++i) g[k].push_back(0.05 * std::cos(0.9 * t + 1.7 * i + 2 * k) + 0.01 * k);
    opt.step({vec(g[0]), vec(g[1])}, lr, 0);
    int64_t not_clipped = 0, total = 0;
    for (int k = 0; k < 2; ++k) {
      const bool upd = ref_rng.uniform() < 0.5;
      (upd ? updates : skips)++;
      for (size_t i = 0; i < th[k].size(); ++i) {
        th[k][i] *= 1 - lr * wd;
        m[k][i] = b1 * m[k][i] + (1 - b1) * g[k][i];
        if (upd) h[k][i] = b2 * h[k][i] + (1 - b2) * g[k][i] * g[k][i];
        const double mh = m[k][i] / (1 - std::pow(b1, t));
        const double hh = h[k][i] / (1 - std::pow(b2, t));
        const double r = mh / std::max(gamma * hh, 1e-8);
        not_clipped += std::abs(r) < 1;
        ++total;
        th[k][i] -= lr * std::clamp(r, -1.0, 1.0);
      }
    }
    expect_close(th[0], pa, "theta a", 5e-6);
    expect_close(th[1], pb, "theta b", 5e-6);
    EXPECT_DOUBLE_EQ(opt.last_win_rate(), double(not_clipped) / double(total)) << "t=" << t;
  }
  EXPECT_GT(updates, 0);
  EXPECT_GT(skips, 0);  // both outcomes of the draw were exercised
  expect_close(h[0], opt.hessian()[0], "h a", 1e-5, 1e-12);
}

// ---------------------------------------------------------------------------------------------
// Variant h (SophiaH)

TEST(SophiaH, ClippedUpdateWithHutchinsonEstimate) {
  SophiaOptions o = SophiaOptions::defaults(SophiaVariant::H);
  o.hessian_interval = 1;
  o.weight_decay = 0.0;
  auto p = param({0.0, 0.0, 0.0});
  Sophia opt({p}, o);
  EXPECT_EQ(opt.hessian_source(), HessianSource::Hutchinson);
  EXPECT_FALSE(opt.hessian_due());
  opt.step({vec({0.0, 0.0, 0.0})}, 0.1, 0);  // m stays 0: no move, ratio 0 everywhere
  EXPECT_DOUBLE_EQ(opt.last_win_rate(), 1.0);
  ASSERT_TRUE(opt.hessian_due());
  // ĥ = [50, 1, −5]: h = 0.01·ĥ = [0.5, 0.01, −0.05] (a negative Hutchinson value is possible).
  opt.update_hessian({vec({50.0, 1.0, -5.0})});
  expect_close({0.5, 0.01, -0.05}, opt.hessian()[0], "h");
  // g = 0.1 → m = 0.035·0.1 = 0.0035; ρ·h = [0.02, 4e-4, −0.002 → max(·, 1e-15) = 1e-15].
  opt.step({vec({0.1, 0.1, 0.1})}, 0.1, 0);
  // m = 0.0035; ratios: 0.0035/0.02 = 0.175 (kept), 0.0035/4e-4 = 8.75 → 1, negative h → 1.
  expect_close({-0.1 * 0.175, -0.1, -0.1}, p, "theta");
  EXPECT_NEAR(opt.last_win_rate(), 1.0 / 3.0, 1e-15);
}

// ---------------------------------------------------------------------------------------------
// Hutchinson's estimator

namespace {
// L(x) = ½ xᵀAx, A symmetric: ∇²L = A, so diag = [A_ii].
const double kA[4][4] = {{2.0, 0.5, -0.3, 0.0},
                         {0.5, 1.0, 0.2, 0.4},
                         {-0.3, 0.2, 3.0, -0.6},
                         {0.0, 0.4, -0.6, 0.5}};
double quad(const std::vector<double>& x) {
  double s = 0;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) s += 0.5 * x[i] * kA[i][j] * x[j];
  return s;
}
// Non-quadratic L(a, b) = Σ a_i⁴/12 + a_0²·b_0 + b_0 b_1 + sin(b_1):
// hand-written diag of ∇²L: ∂²/∂a_0² = a_0² + 2 b_0, ∂²/∂a_1² = a_1², ∂²/∂b_0² = 0, ∂²/∂b_1² = −sin(b_1).
double quartic(const std::vector<double>& a, const std::vector<double>& b) {
  return std::pow(a[0], 4) / 12 + std::pow(a[1], 4) / 12 + a[0] * a[0] * b[0] + b[0] * b[1] + std::sin(b[1]);
}
std::vector<double> quartic_diag(const std::vector<double>& a, const std::vector<double>& b) {
  return {a[0] * a[0] + 2 * b[0], a[1] * a[1], 0.0, -std::sin(b[1])};
}
}  // namespace

TEST(Hutchinson, ExactDiagonalsAgreeWithFiniteDifferences) {
  const double eps = 1e-4;
  std::vector<double> x = {0.3, -0.7, 1.1, 0.2};
  for (int i = 0; i < 4; ++i) {
    auto xp = x, xm = x;
    xp[i] += eps;
    xm[i] -= eps;
    double fd = (quad(xp) - 2 * quad(x) + quad(xm)) / (eps * eps);
    EXPECT_NEAR(fd, kA[i][i], 1e-5) << "A diag " << i;
  }
  std::vector<double> a = {0.8, -1.3}, b = {0.4, 0.9};
  auto d = quartic_diag(a, b);
  for (int i = 0; i < 4; ++i) {
    auto f = [&](double delta) {
      auto aa = a, bb = b;
      (i < 2 ? aa[i] : bb[i - 2]) += delta;
      return quartic(aa, bb);
    };
    double fd = (f(eps) - 2 * f(0) + f(-eps)) / (eps * eps);
    EXPECT_NEAR(fd, d[i], 1e-5) << "quartic diag " << i;
  }
}

TEST(Hutchinson, QuadraticExpectationMatchesDiagA) {
  auto A = torch::zeros({4, 4});
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) A[i][j] = kA[i][j];
  auto x = param({0.3, -0.7, 1.1, 0.2});  // [4]
  auto loss = 0.5 * torch::dot(x, torch::mv(A, x));
  Rng rng(7);
  // Per sample, (u⊙Au)_i = A_ii + Σ_{j≠i} A_ij u_i u_j: variance Σ_{j≠i} A_ij² ≤ 0.56,
  // so the mean of 2000 has sd ≤ 0.017; tolerance 0.08 is > 4.5 sd.
  auto r = hutchinson_diag(loss, {x}, rng, 2000);
  expect_close({2.0, 1.0, 3.0, 0.5}, r.diag[0], "E[u⊙Au]", 0, 0.08);
  // The returned gradient is ∇L = A x.
  std::vector<double> xv = {0.3, -0.7, 1.1, 0.2}, ax(4, 0.0);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) ax[i] += kA[i][j] * xv[j];
  expect_close(ax, r.grads[0], "grad");
  // The estimator is not exact per sample for a non-diagonal A (else the test above is moot).
  auto loss1 = 0.5 * torch::dot(x, torch::mv(A, x));
  auto one = hutchinson_diag(loss1, {x}, rng, 1);
  EXPECT_GT((one.diag[0] - torch::tensor({2.0f, 1.0f, 3.0f, 0.5f})).abs().max().item<double>(), 0.1);
}

TEST(Hutchinson, DiagonalHessianIsExactPerSample) {
  // With A diagonal, u_i² = 1 makes every sample exact.
  auto x = param({0.3, -0.7, 1.1});
  auto d = vec({2.0, -1.0, 0.5});
  auto loss = 0.5 * (d * x * x).sum();
  Rng rng(3);
  auto r = hutchinson_diag(loss, {x}, rng, 1);
  expect_close({2.0, -1.0, 0.5}, r.diag[0], "diag", 0, 1e-6);
}

TEST(Hutchinson, NonQuadraticTwoParamsExpectation) {
  std::vector<double> av = {0.8, -1.3}, bv = {0.4, 0.9};
  auto a = param(av), b = param(bv);
  auto loss = a.pow(4).sum() / 12 + a[0] * a[0] * b[0] + b[0] * b[1] + torch::sin(b[1]);
  Rng rng(11);
  auto r = hutchinson_diag(loss, {a, b}, rng, 2000);
  auto d = quartic_diag(av, bv);
  // Off-diagonals: ∂²/∂a0∂b0 = 2a0 = 1.6, ∂²/∂b0∂b1 = 1: per-sample sd ≤ 1.9, mean sd ≤ 0.043.
  expect_close({d[0], d[1]}, r.diag[0], "diag a", 0, 0.2);
  expect_close({d[2], d[3]}, r.diag[1], "diag b", 0, 0.2);
}

TEST(Hutchinson, DeterministicGivenRngAndUnusedParamsAreZero) {
  auto x = param({0.3, -0.7, 1.1, 0.2});
  auto unused = param({5.0});
  auto mk = [&] { return (x * x * x).sum() + x[0] * x[1]; };
  Rng r1(99), r2(99);
  auto e1 = hutchinson_diag(mk(), {x, unused}, r1, 3);
  auto e2 = hutchinson_diag(mk(), {x, unused}, r2, 3);
  EXPECT_TRUE(torch::equal(e1.diag[0], e2.diag[0]));
  EXPECT_EQ(r1.state(), r2.state());
  EXPECT_EQ(e1.diag[1].item<float>(), 0.0f);
  EXPECT_EQ(e1.grads[1].item<float>(), 0.0f);
  // Rademacher entries are ±1 and both signs occur.
  Rng r3(5);
  auto u = rademacher({1000}, r3, torch::TensorOptions());
  EXPECT_TRUE(torch::equal(u.abs(), torch::ones({1000})));
  double mean = u.mean().item<double>();
  EXPECT_LT(std::abs(mean), 0.15);
}

// ---------------------------------------------------------------------------------------------
// GNB label sampling

TEST(SampleCategorical, FrequenciesMatchSoftmax) {
  const int64_t n = 20000;
  auto row = torch::tensor({1.0f, 0.0f, -1.0f, 2.0f, -1e9f});  // last has p ≈ 0
  auto logits = row.unsqueeze(0).expand({n, 5}).contiguous();
  Rng rng(21);
  auto y = sample_categorical(logits, rng);
  ASSERT_EQ(y.sizes(), torch::IntArrayRef({n}));
  auto p = torch::softmax(row, 0);
  for (int64_t j = 0; j < 5; ++j) {
    double freq = (y == j).sum().item<double>() / n;
    // sd of a frequency ≤ 0.5/sqrt(20000) = 0.0035; tolerance 0.015.
    EXPECT_NEAR(freq, p[j].item<double>(), 0.015) << "class " << j;
  }
  EXPECT_EQ((y == 4).sum().item<int64_t>(), 0);
  Rng again(21);
  EXPECT_TRUE(torch::equal(sample_categorical(logits, again), y));
}
