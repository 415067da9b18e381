// Shared helpers of the unlearn tests: the olmo-tiny fixture with its adapter, and
// deterministic synthetic rows.
#pragma once
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/shared.h"
#include "libu/model/causal_lm.h"
#include "libu/model/peft_io.h"
#include "libu/unlearn/plan.h"

namespace libu::unlearn::testing {

inline std::string fixture(const std::string& n) { return test::shared_path("fixtures/models/" + n); }

// olmo-tiny (fp32) with its fixture adapter (A and B both non-zero, so ∂L/∂A ≠ 0 too).
inline std::shared_ptr<model::CausalLM> tiny_with_adapter() {
  model::LoadOptions lo;
  lo.dtype = torch::kFloat;
  auto m = model::CausalLM::load(fixture("olmo-tiny"), lo);
  model::load_adapter(*m, fixture("olmo-tiny") + "/adapter");
  return m;
}

// n rows of `len` random token ids in [3, 350), every position in the loss; fixed length so
// per-row and per-batch means agree.
inline std::vector<data::Example> rows(int n, int len, uint64_t seed) {
  torch::manual_seed(int64_t(seed));
  std::vector<data::Example> ex;
  for (int i = 0; i < n; ++i) {
    auto t = torch::randint(3, 350, {len}, torch::kLong);
    data::Example e;
    e.id = std::to_string(i);
    e.ids.assign(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + len);
    e.loss.assign(size_t(len), 1);
    ex.push_back(e);
  }
  return ex;
}

// The autograd gradient of loss() along a random direction of `params` (seeded, scaled) against
// the central finite difference (eps 1e-3), within 2e-3 relative.
inline void expect_gradient_matches_fd(std::vector<torch::Tensor> params, const std::function<torch::Tensor()>& loss,
                                int64_t seed, double scale) {
  auto g = torch::autograd::grad({loss()}, params);
  torch::manual_seed(seed);
  std::vector<torch::Tensor> dir;
  double analytic = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    dir.push_back(torch::randn_like(params[i]) * scale);
    analytic += (g[i] * dir[i]).sum().item<double>();
  }
  auto at = [&](double eps) {
    torch::NoGradGuard ng;
    for (size_t i = 0; i < params.size(); ++i) params[i].add_(dir[i] * eps);
    double v = loss().item<double>();
    for (size_t i = 0; i < params.size(); ++i) params[i].sub_(dir[i] * eps);
    return v;
  };
  double eps = 1e-3, fd = (at(eps) - at(-eps)) / (2 * eps);
  EXPECT_NEAR(fd, analytic, 2e-3 * std::max(1.0, std::fabs(analytic)));
}

}  // namespace libu::unlearn::testing
