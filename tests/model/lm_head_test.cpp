// The lean LM head (lm_head.h): its hand-written backward against finite differences and
// autograd through full logits, and the loss + LoRA gradients against the outside reference
// fixtures (../shared/fixtures/models/*/expected.safetensors).
#include <gtest/gtest.h>

#include "common/device.h"
#include "common/shared.h"
#include "libu/model/causal_lm.h"
#include "libu/model/lm_head.h"
#include "libu/model/loss.h"
#include "libu/model/peft_io.h"
#include "libu/model/tensor_io.h"

using namespace libu;
using namespace libu::model;

namespace {

// Σ c_i · log p(y_i | h_i) through the lean head (fp64, chunks of 3 rows so chunks split).
torch::Tensor lean_objective(const torch::Tensor& h, const torch::Tensor& W, const torch::Tensor& y,
                             const torch::Tensor& c, double T) {
  return (label_logprobs(h, W, y, T, 3) * c).sum();
}
torch::Tensor full_objective(const torch::Tensor& h, const torch::Tensor& W, const torch::Tensor& y,
                             const torch::Tensor& c, double T) {
  auto z = torch::linear(h, W) / T;
  return (torch::log_softmax(z, -1).gather(1, y.unsqueeze(1)).squeeze(1) * c).sum();
}

}  // namespace

TEST(LeanHead, BackwardMatchesFiniteDifferences) {
  torch::manual_seed(11);
  auto opt = torch::TensorOptions().dtype(torch::kDouble);
  auto h = torch::randn({7, 5}, opt).requires_grad_(true), W = torch::randn({11, 5}, opt).requires_grad_(true);
  auto y = torch::randint(0, 11, {7}, torch::kLong), c = torch::randn({7}, opt);
  for (double T : {1.0, 2.0}) {
    h.mutable_grad() = torch::Tensor();
    W.mutable_grad() = torch::Tensor();
    lean_objective(h, W, y, c, T).backward();
    const double eps = 1e-6;
    for (auto* p : {&h, &W}) {
      auto g = p->grad().clone();
      auto flat = p->detach().view({-1});
      for (int64_t i = 0; i < flat.numel(); i += 3) {
        torch::NoGradGuard ng;
        double v = flat[i].item<double>();
        flat[i] = v + eps;
        double up = lean_objective(h, W, y, c, T).item<double>();
        flat[i] = v - eps;
        double down = lean_objective(h, W, y, c, T).item<double>();
        flat[i] = v;
        EXPECT_NEAR(g.view({-1})[i].item<double>(), (up - down) / (2 * eps), 1e-6) << "T " << T << " index " << i;
      }
    }
  }
}

TEST(LeanHead, EqualsFullLogitsValueAndGradients) {
  torch::manual_seed(12);
  auto h = torch::randn({40, 16}).requires_grad_(true), W = torch::randn({300, 16}).requires_grad_(true);
  auto y = torch::randint(0, 300, {40}, torch::kLong), c = torch::randn({40});
  auto a = lean_objective(h, W, y, c, 1.5);
  auto ga = torch::autograd::grad({a}, {h, W});
  auto b = full_objective(h, W, y, c, 1.5);
  auto gb = torch::autograd::grad({b}, {h, W});
  EXPECT_NEAR(a.item<double>(), b.item<double>(), 1e-3);
  EXPECT_TRUE(torch::allclose(ga[0], gb[0], 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(ga[1], gb[1], 1e-4, 1e-5));
  // A frozen W gets no gradient and costs none.
  auto hf = h.detach().requires_grad_(true);
  auto g = torch::autograd::grad({lean_objective(hf, W.detach(), y, c, 1.0)}, {hf});
  EXPECT_EQ(g[0].sizes(), hf.sizes());
}

// Loss and LoRA gradients of the lean path against the reference fixtures (the same
// tolerances as the parity test), and against the full-logits path.
class LeanHeadParity : public ::testing::TestWithParam<std::string> {};

TEST_P(LeanHeadParity, LossAndLoraGradsMatchReference) {
  // Force the lean, chunked path (small fixtures would otherwise keep the full logits).
  struct Keep {
    int64_t was = lean_head_keep_bytes();
    Keep() { set_lean_head_keep_bytes(0); }
    ~Keep() { set_lean_head_keep_bytes(was); }
  } keep;
  std::string dir = test::shared_path("fixtures/models/" + GetParam());
  auto exp = read_tensors(dir + "/expected.safetensors");
  test::to_device(exp);  // LIBU_TEST_DEVICE
  LoadOptions lo;
  lo.dtype = torch::kFloat;
  lo.device = test::device();
  auto m = CausalLM::load(dir, lo);
  load_adapter(*m, dir + "/adapter");
  auto loss = lean_causal_lm_loss(*m, exp["input_ids"], exp["attention_mask"], exp["labels"]);
  EXPECT_NEAR(loss.item<double>(), exp["lora_loss"].item<double>(), 1e-4);
  loss.backward();
  int n = 0;
  for (auto& [key, p] : m->lora()->named_parameters()) {
    const auto& ref = exp.at("grad." + key);
    double scale = std::max(ref.abs().max().item<double>(), 1e-12);
    EXPECT_LE((p.grad() - ref).abs().max().item<double>() / scale, 1e-3) << key;
    ++n;
  }
  EXPECT_GT(n, 0);
  // Per-position log-probs equal token_logprobs on full logits.
  torch::NoGradGuard ng;
  auto [lp, mask] = lean_token_logprobs(*m, exp["input_ids"], exp["attention_mask"], exp["labels"]);
  auto [lp2, mask2] = token_logprobs(m->forward(exp["input_ids"], exp["attention_mask"]), exp["labels"]);
  EXPECT_TRUE(torch::equal(mask, mask2));
  EXPECT_LT((lp - lp2).abs().max().item<double>(), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LeanHeadParity, ::testing::Values("olmo-tiny", "llama-tiny-gqa-bf16", "olmo2-tiny"));

// token_scores (the one per-token scoring of selection, MIA and holdout targets): its full path
// is token_logprobs on full logits bit for bit and its mean NLL is the fixture's reference
// loss; the lean, chunked path (forced) gives the same log-probs, argmax hits and Min-K%++
// moments, each against a direct computation on the full logits.
TEST_P(LeanHeadParity, TokenScoresLeanEqualsFullAndReference) {
  std::string dir = test::shared_path("fixtures/models/" + GetParam());
  auto exp = read_tensors(dir + "/expected.safetensors");
  test::to_device(exp);
  LoadOptions lo;
  lo.dtype = torch::kFloat;
  lo.device = test::device();
  auto m = CausalLM::load(dir, lo);
  load_adapter(*m, dir + "/adapter");
  const auto &ids = exp["input_ids"], &mask = exp["attention_mask"], &labels = exp["labels"];
  torch::NoGradGuard ng;
  auto logits = m->forward(ids, mask);  // [B, T, V]
  auto [lp_ref, mask_ref] = token_logprobs(logits, labels);
  const int64_t T = logits.size(1), V = logits.size(2);
  auto y = labels.narrow(1, 1, T - 1);
  auto hit_ref = logits.narrow(1, 0, T - 1).argmax(-1).eq(y).to(torch::kFloat) * mask_ref;  // [B, T-1]
  auto lpv = torch::log_softmax(logits.narrow(1, 0, T - 1).to(torch::kDouble), -1);            // [B, T-1, V]
  auto mu_ref = (lpv.exp() * lpv).sum(-1) * mask_ref.to(torch::kDouble);
  auto var_ref = ((lpv.exp() * lpv * lpv).sum(-1) - (lpv.exp() * lpv).sum(-1).pow(2)) * mask_ref.to(torch::kDouble);
  auto full = token_scores(*m, ids, mask, labels, true, true);
  EXPECT_TRUE(torch::equal(full.mask, mask_ref));
  EXPECT_LT((full.logp - lp_ref).abs().max().item<double>(), 1e-5);
  EXPECT_NEAR((-full.logp.sum() / full.mask.sum()).item<double>(), exp["lora_loss"].item<double>(), 1e-4);
  struct Keep {
    int64_t was = lean_head_keep_bytes();
    Keep() { set_lean_head_keep_bytes(0); }
    ~Keep() { set_lean_head_keep_bytes(was); }
  } keep;
  auto lean = token_scores(*m, ids, mask, labels, true, true);
  EXPECT_TRUE(torch::equal(lean.mask, mask_ref));
  EXPECT_LT((lean.logp - lp_ref).abs().max().item<double>(), 1e-5);
  EXPECT_TRUE(torch::equal(lean.hit, hit_ref)) << "argmax hits differ";
  EXPECT_TRUE(torch::equal(full.hit, hit_ref));
  for (auto* s : {&full, &lean}) {
    EXPECT_LT((s->mu - mu_ref).abs().max().item<double>(), 1e-4);
    EXPECT_LT((s->var - var_ref).abs().max().item<double>(), 1e-3);
  }
  EXPECT_GT(V, 1);
}
