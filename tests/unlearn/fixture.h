// Shared helpers of the unlearn tests: the olmo-tiny fixture with its adapter, and
// deterministic synthetic rows.
#pragma once
#include <memory>
#include <string>
#include <vector>

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

}  // namespace libu::unlearn::testing
