// Optimizer checkpoints (stepping after a reload equals stepping without the interruption, bit
// for bit, for every Sophia variant and for AdamW), LR schedules at key steps (the HF
// transformers formulas, evaluated by hand), and gradient clipping by global norm.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "libu/core/error.h"
#include "libu/optim/factory.h"
#include "libu/optim/schedule.h"
#include "libu/optim/sophia.h"

using namespace libu;
using namespace libu::optim;

namespace {

// Two LoRA-like fp32 leaves, A [3, 4] and B [4, 3], seeded deterministically.
std::vector<torch::Tensor> make_params() {
  torch::manual_seed(0);
  return {torch::randn({3, 4}).set_requires_grad(true), torch::randn({4, 3}).set_requires_grad(true)};
}
const std::vector<std::string> kNames = {"layers.0.q_proj.lora_A", "layers.0.q_proj.lora_B"};

// A deterministic loss of the params and the step (so grads depend on the trajectory).
torch::Tensor loss_at(const std::vector<torch::Tensor>& p, int step) {
  auto w = torch::mm(p[1], p[0]);  // [4, 4]
  auto target = torch::full({4, 4}, 0.1 * step);
  return (w - target).pow(2).sum() + 0.01 * torch::sin(p[0] * (step + 1)).sum();
}

// One optimizer step of a trainer: grads, step, Hessian refresh when due.
void train_step(Optimizer& opt, int step) {
  const auto& p = opt.params();
  opt.zero_grad();
  loss_at(p, step).backward();
  opt.step(1e-2, /*tokens_per_step=*/64);
  if (!opt.hessian_due()) return;
  auto* s = dynamic_cast<Sophia*>(&opt);
  ASSERT_NE(s, nullptr);
  if (opt.hessian_source() == HessianSource::GaussNewtonBartlett) {
    // Stand-in for ∇CE(logits, ŷ): a second loss on the same params.
    opt.zero_grad();
    (loss_at(p, step + 7) * 0.5).backward();
    std::vector<torch::Tensor> g;
    for (const auto& t : p) g.push_back(t.grad());
    s->update_hessian_gnb(g);
  } else {
    auto r = hutchinson_diag(loss_at(p, step), p, s->rng(), 1);
    opt.update_hessian(r.diag);
  }
}

std::unique_ptr<Optimizer> make(const std::string& kind, const std::vector<torch::Tensor>& p) {
  OptimizerOptions o;
  if (kind == "adamw") return make_optimizer("adamw", p, o, kNames);
  o.sophia = SophiaOptions::defaults(parse_sophia_variant(kind));
  o.sophia.hessian_interval = 2;
  o.sophia.hessian_prob = 0.5;  // seed: make the draws matter
  o.sophia.seed = 17;
  return make_optimizer("sophia", p, o, kNames);
}

// Copies the state through CPU tensors and a JSON text, as a checkpoint file would.
std::map<std::string, torch::Tensor> to_cpu(const std::map<std::string, torch::Tensor>& m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& kv : m) out[kv.first] = kv.second.to(torch::kCPU).contiguous().clone();
  return out;
}

void expect_bit_equal(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(torch::equal(a[i], b[i])) << "param " << i << " differs by "
                                          << (a[i] - b[i]).abs().max().item<double>();
}

}  // namespace

class ResumeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ResumeTest, ResumedEqualsUninterruptedBitForBit) {
  const std::string kind = GetParam();
  const int total = 9, cut = 5;  // cut after a Hessian refresh at step 4 and before the one at 6
  auto pa = make_params();
  auto full = make(kind, pa);
  for (int s = 0; s < total; ++s) train_step(*full, s);

  auto pb = make_params();
  auto first = make(kind, pb);
  for (int s = 0; s < cut; ++s) train_step(*first, s);
  auto tensors = to_cpu(first->state_tensors());
  const std::string json_text = first->state_json().dump();
  std::vector<torch::Tensor> saved;
  for (const auto& p : pb) saved.push_back(p.detach().clone());
  first.reset();

  // A fresh process: new params from the checkpointed values, a new optimizer, load, continue.
  std::vector<torch::Tensor> pc;
  for (const auto& t : saved) pc.push_back(t.clone().set_requires_grad(true));
  auto resumed = make(kind, pc);
  resumed->load_state(tensors, nlohmann::json::parse(json_text));
  EXPECT_EQ(resumed->steps_taken(), cut);
  for (int s = cut; s < total; ++s) train_step(*resumed, s);

  expect_bit_equal(pa, pc);
  auto sa = full->state_tensors(), sc = resumed->state_tensors();
  ASSERT_EQ(sa.size(), sc.size());
  for (const auto& kv : sa) EXPECT_TRUE(torch::equal(kv.second, sc.at(kv.first))) << kv.first;
  EXPECT_EQ(full->state_json(), resumed->state_json());
  // The trajectory really moved (the comparison is not between two untouched tensors).
  EXPECT_FALSE(torch::equal(pa[0], saved[0]));
}

INSTANTIATE_TEST_SUITE_P(AllOptimizers, ResumeTest, ::testing::Values("g", "seed", "h", "adamw"));

TEST(OptimizerState, KeysAndJsonFields) {
  auto p = make_params();
  auto s = make("g", p);
  auto keys = s->state_tensors();
  EXPECT_EQ(keys.size(), 4u);
  EXPECT_TRUE(keys.count("layers.0.q_proj.lora_A.exp_avg"));
  EXPECT_TRUE(keys.count("layers.0.q_proj.lora_B.hessian"));
  EXPECT_EQ(keys.at("layers.0.q_proj.lora_B.hessian").scalar_type(), torch::kFloat32);
  auto j = s->state_json();
  EXPECT_EQ(j["optimizer"], "sophia");
  EXPECT_EQ(j["variant"], "g");

  auto a = make("adamw", p);
  EXPECT_TRUE(a->state_tensors().empty());  // torch creates AdamW state on the first step
  train_step(*a, 0);
  auto ak = a->state_tensors();
  EXPECT_EQ(ak.size(), 4u);
  EXPECT_TRUE(ak.count("layers.0.q_proj.lora_A.exp_avg_sq"));
  EXPECT_EQ(a->state_json()["param_steps"]["layers.0.q_proj.lora_A"], 1);
}

TEST(OptimizerState, LoadRejectsMismatches) {
  auto p = make_params();
  auto g = make("g", p);
  train_step(*g, 0);
  auto t = g->state_tensors();
  auto j = g->state_json();

  auto other_variant = make("h", p);
  EXPECT_THROW(other_variant->load_state(t, j), Error);
  auto adam = make("adamw", p);
  EXPECT_THROW(adam->load_state(t, j), Error);

  auto fresh = make("g", p);
  auto missing = t;
  missing.erase("layers.0.q_proj.lora_A.exp_avg");
  try {
    fresh->load_state(missing, j);
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("missing layers.0.q_proj.lora_A.exp_avg"), std::string::npos) << e.message();
  }
  auto extra = t;
  extra["bogus"] = torch::zeros({1});
  EXPECT_THROW(fresh->load_state(extra, j), Error);
  auto misshaped = t;
  misshaped["layers.0.q_proj.lora_B.hessian"] = torch::zeros({3, 4});
  try {
    fresh->load_state(misshaped, j);
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("mis-shaped layers.0.q_proj.lora_B.hessian [3, 4] (expected [4, 3])"),
              std::string::npos)
        << e.message();
  }
  auto wrong_dtype = t;
  wrong_dtype["layers.0.q_proj.lora_B.hessian"] = t.at("layers.0.q_proj.lora_B.hessian").to(torch::kFloat64);
  EXPECT_THROW(fresh->load_state(wrong_dtype, j), Error);
}

// ---------------------------------------------------------------------------------------------
// LR schedules: λ(s) by hand (HF transformers' *_schedule_with_warmup), base lr 1e-4.

TEST(Schedule, ConstantWithWarmup) {
  LrSchedule s{ScheduleKind::Constant, 1e-4, 4};
  EXPECT_DOUBLE_EQ(s.lr_at(0, 100), 0.0);
  EXPECT_DOUBLE_EQ(s.lr_at(1, 100), 0.25e-4);
  EXPECT_DOUBLE_EQ(s.lr_at(3, 100), 0.75e-4);
  EXPECT_DOUBLE_EQ(s.lr_at(4, 100), 1e-4);
  EXPECT_DOUBLE_EQ(s.lr_at(99, 100), 1e-4);
  LrSchedule nw{ScheduleKind::Constant, 1e-4, 0};
  EXPECT_DOUBLE_EQ(nw.lr_at(0, 100), 1e-4);
}

TEST(Schedule, LinearWithWarmup) {
  LrSchedule s{ScheduleKind::Linear, 1e-4, 10};
  EXPECT_DOUBLE_EQ(s.lr_at(5, 110), 0.5e-4);
  EXPECT_DOUBLE_EQ(s.lr_at(10, 110), 1e-4);   // (110 − 10)/100
  EXPECT_DOUBLE_EQ(s.lr_at(60, 110), 0.5e-4);  // (110 − 60)/100
  EXPECT_DOUBLE_EQ(s.lr_at(109, 110), 0.01e-4);
  EXPECT_DOUBLE_EQ(s.lr_at(110, 110), 0.0);
  EXPECT_DOUBLE_EQ(s.lr_at(500, 110), 0.0);  // past the end: stays at 0
}

TEST(Schedule, CosineWithWarmup) {
  LrSchedule s{ScheduleKind::Cosine, 1e-4, 10};
  EXPECT_DOUBLE_EQ(s.lr_at(2, 110), 0.2e-4);
  EXPECT_DOUBLE_EQ(s.lr_at(10, 110), 1e-4);
  EXPECT_NEAR(s.lr_at(35, 110), 1e-4 * 0.5 * (1 + std::sqrt(0.5)), 1e-18);  // progress ¼: cos(π/4)
  EXPECT_NEAR(s.lr_at(60, 110), 0.5e-4, 1e-18);                             // progress ½
  EXPECT_NEAR(s.lr_at(85, 110), 1e-4 * 0.5 * (1 - std::sqrt(0.5)), 1e-18);
  EXPECT_NEAR(s.lr_at(110, 110), 0.0, 1e-20);
}

TEST(Schedule, ParseAndValidate) {
  EXPECT_EQ(parse_schedule("cosine"), ScheduleKind::Cosine);
  EXPECT_STREQ(schedule_name(ScheduleKind::Linear), "linear");
  EXPECT_THROW(parse_schedule("step"), Error);
  LrSchedule s{ScheduleKind::Linear, 1e-4, 0};
  EXPECT_THROW(s.lr_at(-1, 10), Error);
  EXPECT_THROW(s.lr_at(0, 0), Error);
  LrSchedule bad{ScheduleKind::Linear, 1e-4, -1};
  EXPECT_THROW(bad.lr_at(0, 10), Error);
}

// ---------------------------------------------------------------------------------------------
// Gradient clipping by global norm.

TEST(ClipGradNorm, ScalesAboveAndReturnsPreClipNorm) {
  // ‖[3, 4]‖² + ‖[12]‖² = 169 → norm 13; max 6.5 → scale 6.5/(13 + 1e-6).
  std::vector<torch::Tensor> g = {torch::tensor({3.0f, 4.0f}), torch::tensor({12.0f}), torch::Tensor()};
  double n = clip_grad_norm(g, 6.5);
  EXPECT_DOUBLE_EQ(n, 13.0);
  const double sc = 6.5 / (13.0 + 1e-6);
  EXPECT_NEAR(g[0][0].item<double>(), 3 * sc, 1e-6);
  EXPECT_NEAR(g[0][1].item<double>(), 4 * sc, 1e-6);
  EXPECT_NEAR(g[1][0].item<double>(), 12 * sc, 1e-6);
  auto now = torch::cat({g[0], g[1]}).norm().item<double>();
  EXPECT_NEAR(now, 6.5, 1e-5);
}

TEST(ClipGradNorm, BelowThresholdOrDisabledLeavesGrads) {
  std::vector<torch::Tensor> g = {torch::tensor({3.0f, 4.0f})};
  EXPECT_DOUBLE_EQ(clip_grad_norm(g, 10.0), 5.0);
  EXPECT_TRUE(torch::equal(g[0], torch::tensor({3.0f, 4.0f})));
  EXPECT_DOUBLE_EQ(clip_grad_norm(g, 0.0), 5.0);
  EXPECT_TRUE(torch::equal(g[0], torch::tensor({3.0f, 4.0f})));
  std::vector<torch::Tensor> bad = {torch::tensor({1.0f, std::nanf("")})};
  EXPECT_TRUE(std::isnan(clip_grad_norm(bad, 1.0)));
}

TEST(ClipGradNorm, ParamGradsAgreeWithTorch) {
  auto p = make_params();
  loss_at(p, 3).backward();
  std::vector<torch::Tensor> ref;  // copies of the params carrying copies of the grads
  for (const auto& t : p) {
    auto c = t.detach().clone().set_requires_grad(true);
    c.mutable_grad() = t.grad().clone();
    ref.push_back(c);
  }
  double ours = clip_param_grad_norm(p, 0.5);
  double theirs = torch::nn::utils::clip_grad_norm_(ref, 0.5);
  EXPECT_NEAR(ours, theirs, 1e-5 * theirs);
  for (size_t i = 0; i < p.size(); ++i)
    EXPECT_TRUE(torch::allclose(p[i].grad(), ref[i].grad(), 1e-6, 1e-7)) << "param " << i;
}
