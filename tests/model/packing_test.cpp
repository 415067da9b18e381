// Sequence packing (packing.h): packed and padded batches give the same per-row NLLs, logits
// and LoRA gradients (fp32 tolerance), on the outside reference fixtures
// (../shared/fixtures/models/*) and on ragged batches with real padding; the packer itself.
#include <gtest/gtest.h>

#include "common/device.h"
#include "common/shared.h"
#include "libu/model/causal_lm.h"
#include "libu/model/lm_head.h"
#include "libu/model/loss.h"
#include "libu/model/packing.h"
#include "libu/model/peft_io.h"
#include "libu/model/tensor_io.h"

using namespace libu;
using namespace libu::model;

namespace {

// Sets the process-wide packing options for one scope.
struct PackingScope {
  PackingOptions was = packing_options();
  PackingScope(bool on, int64_t len) { set_packing_options({on, len}); }
  ~PackingScope() { set_packing_options(was); }
};

std::shared_ptr<CausalLM> fixture_model(const std::string& name) {
  std::string dir = test::shared_path("fixtures/models/" + name);
  LoadOptions lo;
  lo.dtype = torch::kFloat;
  lo.device = test::device();  // LIBU_TEST_DEVICE
  auto m = CausalLM::load(dir, lo);
  load_adapter(*m, dir + "/adapter");
  return m;
}

// A ragged, right-padded batch: rows of `lens` tokens drawn from the vocabulary, labels on
// every real token but the first of each row (so answer-style masks are covered too).
struct Ragged {
  torch::Tensor ids, mask, labels;  // [B, T] each
};
Ragged ragged_batch(int64_t vocab, const std::vector<int64_t>& lens, uint64_t seed) {
  torch::manual_seed(seed);
  int64_t B = int64_t(lens.size()), T = *std::max_element(lens.begin(), lens.end());
  Ragged r{torch::zeros({B, T}, torch::kLong), torch::zeros({B, T}, torch::kLong),
           torch::full({B, T}, kIgnoreIndex, torch::kLong)};
  for (int64_t b = 0; b < B; ++b) {
    auto row = torch::randint(0, vocab, {lens[size_t(b)]}, torch::kLong);
    r.ids[b].narrow(0, 0, lens[size_t(b)]).copy_(row);
    r.mask[b].narrow(0, 0, lens[size_t(b)]).fill_(1);
    if (lens[size_t(b)] > 1) r.labels[b].narrow(0, 1, lens[size_t(b)] - 1).copy_(row.narrow(0, 1, lens[size_t(b)] - 1));
  }
  const auto d = test::device();
  return {r.ids.to(d), r.mask.to(d), r.labels.to(d)};
}

// Per-row summed log-probs [B] and the LoRA gradients of their weighted sum.
struct RowsAndGrads {
  torch::Tensor lp;
  std::map<std::string, torch::Tensor> grads;
};
RowsAndGrads rows_and_grads(CausalLM& m, const torch::Tensor& ids, const torch::Tensor& mask, const torch::Tensor& labels) {
  for (auto& [k, p] : m.lora()->named_parameters()) p.mutable_grad() = torch::Tensor();
  auto lp = lean_token_logprobs(m, ids, mask, labels).first.sum(1);  // [B]
  auto w = torch::arange(1, lp.size(0) + 1, lp.options());           // distinct row weights
  (lp * w).sum().backward();
  RowsAndGrads out{lp.detach(), {}};
  for (auto& [k, p] : m.lora()->named_parameters()) out.grads[k] = p.grad().clone();
  return out;
}

// max |a − b| / max(|b|, tiny) over every gradient.
double max_rel_grad_diff(const RowsAndGrads& a, const RowsAndGrads& b) {
  double worst = 0;
  for (auto& [k, g] : b.grads) {
    double scale = std::max(g.abs().max().item<double>(), 1e-12);
    worst = std::max(worst, (a.grads.at(k) - g).abs().max().item<double>() / scale);
  }
  return worst;
}

// Nonzero LoRA B so the gradients of A are nonzero too.
void perturb_lora(CausalLM& m) {
  torch::NoGradGuard ng;
  torch::manual_seed(5);
  for (auto& [k, p] : m.lora()->named_parameters()) p.add_(torch::randn_like(p) * 0.02);
}

}  // namespace

TEST(PackPlan, WholeRowsInOrderNextFit) {
  auto mask = torch::tensor({1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1}, torch::kLong).view({4, 4});
  auto plan = plan_packs(mask, 5);
  ASSERT_TRUE(plan.has_value());
  ASSERT_EQ(plan->lengths.size(), 2u);  // [3] + [2] > 5? no: 3+2 = 5 fits; then 4 opens a new pack
  EXPECT_EQ(plan->lengths[0], (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(plan->lengths[1], (std::vector<int64_t>{4}));  // the empty row 2 is skipped
  EXPECT_EQ(plan->tokens, 9);
  EXPECT_TRUE(torch::equal(plan->all_src, torch::tensor({0, 1, 2, 4, 5, 12, 13, 14, 15}, torch::kLong)));
  // A row longer than the pack length gets a pack of its own.
  auto long_rows = plan_packs(mask, 2);
  ASSERT_TRUE(long_rows.has_value());
  EXPECT_EQ(long_rows->lengths.size(), 3u);
}

TEST(PackPlan, LeftPaddingIsNotPacked) {
  auto mask = torch::tensor({0, 1, 1, 1, 1, 1}, torch::kLong).view({2, 3});
  EXPECT_FALSE(plan_packs(mask, 1024).has_value());
}

class PackingFixture : public ::testing::TestWithParam<std::string> {};

// The fixture batch itself: packed == the reference loss and LoRA gradients (the parity
// tolerances), and == the padded path.
TEST_P(PackingFixture, ReferenceLossAndGradients) {
  PackingScope on(true, 1024);
  auto m = fixture_model(GetParam());
  auto exp = read_tensors(test::shared_path("fixtures/models/" + GetParam() + "/expected.safetensors"));
  test::to_device(exp);
  auto loss = lean_causal_lm_loss(*m, exp["input_ids"], exp["attention_mask"], exp["labels"]);
  EXPECT_NEAR(loss.item<double>(), exp["lora_loss"].item<double>(), 1e-4);
  loss.backward();
  for (auto& [key, p] : m->lora()->named_parameters()) {
    const auto& ref = exp.at("grad." + key);
    double scale = std::max(ref.abs().max().item<double>(), 1e-12);
    EXPECT_LE((p.grad() - ref).abs().max().item<double>() / scale, 1e-3) << key;
  }
}

// Ragged rows with real padding, several packs and one: per-row NLLs, logits and LoRA
// gradients equal the padded batch's. Tolerance: fp32 sums over ≤ 40 tokens of log-probs
// of size ~log V ≈ 6 carry ~1e-5 relative rounding, so 1e-4 absolute on the row sums and
// 1e-3 relative on gradients (the parity test's) leave a 10× margin and still catch any
// cross-row leak or position shift (those move row NLLs by > 1e-2).
TEST_P(PackingFixture, PackedEqualsPaddedOnRaggedRows) {
  auto m = fixture_model(GetParam());
  perturb_lora(*m);
  auto r = ragged_batch(m->config().vocab_size, {7, 19, 3, 12, 1, 16}, 21);
  RowsAndGrads padded, packed_one, packed_many;
  {
    PackingScope off(false, 1024);
    padded = rows_and_grads(*m, r.ids, r.mask, r.labels);
  }
  {
    PackingScope on(true, 1024);  // one pack
    packed_one = rows_and_grads(*m, r.ids, r.mask, r.labels);
  }
  {
    PackingScope on(true, 20);  // several packs, one row per pack at most twice
    packed_many = rows_and_grads(*m, r.ids, r.mask, r.labels);
  }
  EXPECT_LT((packed_one.lp - padded.lp).abs().max().item<double>(), 1e-4);
  EXPECT_LT((packed_many.lp - padded.lp).abs().max().item<double>(), 1e-4);
  EXPECT_LT(max_rel_grad_diff(packed_one, padded), 1e-3);
  EXPECT_LT(max_rel_grad_diff(packed_many, padded), 1e-3);
  // The rows really differ (a leak between rows would not cancel out).
  EXPECT_GT((padded.lp - padded.lp.mean()).abs().max().item<double>(), 1e-2);

  // Logits at every real position.
  torch::NoGradGuard ng;
  PackingScope on(true, 1024);
  auto full = m->forward(r.ids, r.mask);              // [B, T, V]
  auto packed = batch_logits(*m, r.ids, r.mask);      // [B, T, V]
  auto real = r.mask.to(torch::kBool).unsqueeze(-1);  // [B, T, 1]
  EXPECT_LT(((full - packed).abs() * real).max().item<double>(), 1e-4);
  EXPECT_EQ((packed * real.logical_not()).abs().max().item<double>(), 0.0);  // zeros at padding
}

// Activation checkpointing recomputes packed layers with the same segments.
TEST_P(PackingFixture, CheckpointedPackedEqualsPlain) {
  PackingScope on(true, 1024);
  auto m = fixture_model(GetParam());
  perturb_lora(*m);
  auto r = ragged_batch(m->config().vocab_size, {9, 4, 14}, 8);
  auto plain = rows_and_grads(*m, r.ids, r.mask, r.labels);
  m->set_checkpointing(true);
  auto ckpt = rows_and_grads(*m, r.ids, r.mask, r.labels);
  m->set_checkpointing(false);
  EXPECT_LT((plain.lp - ckpt.lp).abs().max().item<double>(), 1e-5);
  EXPECT_LT(max_rel_grad_diff(ckpt, plain), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PackingFixture, ::testing::Values("olmo-tiny", "llama-tiny-gqa-bf16", "olmo2-tiny"));
