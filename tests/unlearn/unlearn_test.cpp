// LIBU phase 1, objectives, accumulation and resume, against hand computations.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/shared.h"
#include "libu/core/fs.h"
#include "libu/core/error.h"
#include "libu/model/causal_lm.h"
#include "libu/model/loss.h"
#include "libu/model/packing.h"
#include "libu/model/peft_io.h"
#include "libu/model/lm_head.h"
#include "libu/unlearn/curvature.h"
#include "libu/unlearn/fisher.h"
#include "libu/unlearn/objectives.h"
#include "libu/unlearn/trainer.h"
#include "unlearn/fixture.h"

using namespace libu;
using namespace libu::unlearn;
using namespace libu::unlearn::testing;

namespace {

UnlearnData small_data() {
  UnlearnData d;
  d.forget = rows(4, 8, 1);
  d.retain = rows(5, 8, 2);
  d.pad_id = 1;
  return d;
}

double batch_loss(model::CausalLM& m, const std::vector<data::Example>& ex, size_t i) {
  torch::NoGradGuard ng;
  auto b = make_batch(ex, {i}, 1, m.device());
  return model::causal_lm_loss(m.forward(b.input_ids, b.attention_mask), b.labels).item<double>();
}

double mean_loss(model::CausalLM& m, const std::vector<data::Example>& ex) {
  double s = 0;
  for (size_t i = 0; i < ex.size(); ++i) s += batch_loss(m, ex, i);
  return s / double(ex.size());
}

// Explicit per-example gradient of the mean CE of row i.
std::vector<torch::Tensor> grad_of(model::CausalLM& m, const std::vector<data::Example>& ex, size_t i) {
  auto b = make_batch(ex, {i}, 1, m.device());
  auto loss = model::causal_lm_loss(m.forward(b.input_ids, b.attention_mask), b.labels);
  return torch::autograd::grad({loss}, m.lora()->parameters());
}

}  // namespace

TEST(Phase1, FisherAndForgetGradientMatchHandComputation) {
  auto m = tiny_with_adapter();
  auto d = small_data();
  auto s = influence_stats(*m, d, 1, 1);
  auto params = m->lora()->parameters();
  for (size_t p = 0; p < params.size(); ++p) {
    auto F = torch::zeros_like(params[p]), g = torch::zeros_like(params[p]);
    for (size_t i = 0; i < d.retain.size(); ++i) F += grad_of(*m, d.retain, i)[p].pow(2);
    for (size_t i = 0; i < d.forget.size(); ++i) g += grad_of(*m, d.forget, i)[p];
    F /= double(d.retain.size());
    g /= double(d.forget.size());
    EXPECT_LT((s.fisher[p] - F).abs().max().item<double>(), 1e-9 + 1e-5 * F.abs().max().item<double>()) << p;
    EXPECT_LT((s.grad[p] - g).abs().max().item<double>(), 1e-9 + 1e-5 * g.abs().max().item<double>()) << p;
    EXPECT_GT(g.abs().max().item<double>(), 0.0) << "A and B both non-zero: every tensor has a gradient";
  }
  // The update, element-wise: θ + η g/(F+λ).
  auto before = m->lora()->snapshot();
  double lr = 1e-4, lambda = 1e-3;
  influence_step(*m, s, lr, lambda, +1.0);
  auto named = m->lora()->named_parameters();
  for (size_t p = 0; p < named.size(); ++p) {
    auto expect = before[named[p].first] + lr * s.grad[p] / (s.fisher[p] + lambda);
    EXPECT_LT((named[p].second - expect).abs().max().item<double>(), 1e-7) << named[p].first;
  }
}

TEST(Phase1, SignRaisesOrLowersForgetLoss) {
  auto d = small_data();
  for (double sign : {+1.0, -1.0}) {
    auto m = tiny_with_adapter();
    double before = mean_loss(*m, d.forget);
    auto s = influence_stats(*m, d, 1, 1);
    influence_step(*m, s, 1e-4, 1e-3, sign);
    double after = mean_loss(*m, d.forget);
    if (sign > 0) EXPECT_GT(after, before) << "libu (+) must raise the forget loss";
    else EXPECT_LT(after, before) << "libu-seed (-) lowers the forget loss";
  }
}

TEST(Phase1, PreconditioningProtectsRetain) {
  // Same step norm: 1/(F+λ) changes the retain loss less than the identity preconditioner.
  auto d = small_data();
  auto m = tiny_with_adapter();
  auto s = influence_stats(*m, d, 1, 1);
  double lambda = 1e-3, target_norm = 0.05;
  double r0 = mean_loss(*m, d.retain);
  auto snap = m->lora()->snapshot();
  // Preconditioned direction, scaled to target_norm.
  double pn = 0, gn = 0;
  for (size_t p = 0; p < s.grad.size(); ++p) {
    pn += (s.grad[p] / (s.fisher[p] + lambda)).pow(2).sum().item<double>();
    gn += s.grad[p].pow(2).sum().item<double>();
  }
  influence_step(*m, s, target_norm / std::sqrt(pn), lambda, +1.0);
  double r_pre = std::abs(mean_loss(*m, d.retain) - r0);
  m->lora()->restore(snap);
  {
    torch::NoGradGuard ng;
    auto params = m->lora()->parameters();
    for (size_t p = 0; p < params.size(); ++p) params[p].add_(s.grad[p] * (target_norm / std::sqrt(gn)));
  }
  double r_id = std::abs(mean_loss(*m, d.retain) - r0);
  EXPECT_LT(r_pre, r_id) << "preconditioned " << r_pre << " vs identity " << r_id;
}

// --anchor rows are held by KL(π_ref ‖ π_θ), the other retain rows by NLL, in one micro-batch;
// --retain-loss kl holds every retain row by KL (the kl objective's term, for any objective).
TEST(Objectives, AnchorRowsAreHeldByKlAndRetainRowsByNll) {
  auto m = tiny_with_adapter();
  auto d = small_data();
  auto b = make_batch(d.retain, {0, 1}, 1, m->device());
  b.anchor = torch::tensor({1.0f, 0.0f});  // row 0 is an anchor row
  ObjectiveParams p;
  p.retain_weight = 0.7;
  double want = 0, n = 0, all_kl = 0;
  {
    torch::NoGradGuard ng;
    auto logits = m->forward(b.input_ids, b.attention_mask).to(torch::kDouble);  // [2, T, V]
    m->set_lora_enabled(false);
    auto ref = m->forward(b.input_ids, b.attention_mask).to(torch::kDouble);
    m->set_lora_enabled(true);
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t t = 0; t + 1 < logits.size(1); ++t) {
        int64_t y = b.labels[r][t + 1].item<int64_t>();
        if (y == model::kIgnoreIndex) continue;
        auto a = torch::log_softmax(logits[r][t], 0), q = torch::log_softmax(ref[r][t], 0);
        double kl = (q.exp() * (q - a)).sum().item<double>();
        want += r == 0 ? kl : -a[y].item<double>();
        all_kl += kl;
        n += 1;
      }
  }
  for (auto o : {Objective::GD, Objective::Calibrated, Objective::NPO}) {
    auto t = objective_loss(o, *m, b, false, p);
    EXPECT_NEAR(t.loss.item<double>(), 0.7 * want / n, 1e-5) << objective_name(o);
    EXPECT_TRUE(t.logs.count("kl_r"));
  }
  p.retain_kl = true;
  EXPECT_NEAR(objective_loss(Objective::GD, *m, b, false, p).loss.item<double>(), 0.7 * all_kl / n, 1e-5);
  b.anchor = torch::Tensor();
  EXPECT_NEAR(objective_loss(Objective::GD, *m, b, false, p).loss.item<double>(),
              objective_loss(Objective::KL, *m, b, false, p).loss.item<double>(), 1e-9);
  // A forget batch is never affected by the anchor flags.
  auto f = make_batch(d.forget, {0, 1}, 1, m->device());
  ObjectiveParams plain;
  EXPECT_NEAR(objective_loss(Objective::GD, *m, f, true, p).loss.item<double>(),
              objective_loss(Objective::GD, *m, f, true, plain).loss.item<double>(), 1e-9);
}

TEST(Objectives, ValuesMatchHandComputation) {
  auto m = tiny_with_adapter();
  auto d = small_data();
  auto b = make_batch(d.forget, {0, 1}, 1, m->device());
  ObjectiveParams p;
  p.retain_weight = 0.7;
  torch::NoGradGuard ng;
  auto logits = m->forward(b.input_ids, b.attention_mask).to(torch::kDouble);  // [2, T, V]
  m->set_lora_enabled(false);
  auto ref = m->forward(b.input_ids, b.attention_mask).to(torch::kDouble);
  m->set_lora_enabled(true);
  // Hand computation with explicit loops over rows and positions.
  int64_t T = logits.size(1);
  double nll = 0, n = 0, kl = 0;
  std::vector<double> lp(2, 0), lp_ref(2, 0), cnt(2, 0);
  for (int64_t r = 0; r < 2; ++r)
    for (int64_t t = 0; t + 1 < T; ++t) {
      int64_t y = b.labels[r][t + 1].item<int64_t>();
      auto a = torch::log_softmax(logits[r][t], 0), q = torch::log_softmax(ref[r][t], 0);
      lp[size_t(r)] += a[y].item<double>();
      lp_ref[size_t(r)] += q[y].item<double>();
      cnt[size_t(r)] += 1;
      nll -= a[y].item<double>();
      kl += (q.exp() * (q - a)).sum().item<double>();
      n += 1;
    }
  nll /= n;
  kl /= n;
  auto val = [&](Objective o, bool f) { return objective_loss(o, *m, b, f, p).loss.item<double>(); };
  EXPECT_NEAR(val(Objective::GD, true), -nll, 1e-5);
  EXPECT_NEAR(val(Objective::GD, false), 0.7 * nll, 1e-5);
  EXPECT_NEAR(val(Objective::GA, true), -nll, 1e-5);
  EXPECT_FALSE(objective_loss(Objective::GA, *m, b, false, p).loss.defined());
  EXPECT_NEAR(val(Objective::Seed, true), nll, 1e-5);
  EXPECT_NEAR(val(Objective::KL, false), 0.7 * kl, 1e-5);
  double npo = 0, simnpo = 0;
  for (size_t r = 0; r < 2; ++r) {
    npo += (2 / 0.1) * std::log1p(std::exp(0.1 * (lp[r] - lp_ref[r]))) / 2;
    double avg = -lp[r] / cnt[r];
    simnpo += -(2 / 4.5) * std::log(1 / (1 + std::exp(-4.5 * avg))) / 2;
  }
  EXPECT_NEAR(val(Objective::NPO, true), npo, 1e-4);
  EXPECT_NEAR(val(Objective::SimNPO, true), simnpo, 1e-5);
  // --calib-shape npo: per row σ(k(τ − NLL_row)) × NPO's term, meaned over the rows; τ between
  // the two rows' NLLs so that the gate differs between them.
  ObjectiveParams pc = p;
  pc.calib_npo = true;
  pc.calib_tau = (-lp[0] / cnt[0] - lp[1] / cnt[1]) / 2;
  double calib_npo = 0;
  for (size_t r = 0; r < 2; ++r) {
    double gate = 1 / (1 + std::exp(-pc.calib_k * (pc.calib_tau + lp[r] / cnt[r])));
    calib_npo += gate * (2 / 0.1) * std::log1p(std::exp(0.1 * (lp[r] - lp_ref[r]))) / 2;
  }
  EXPECT_NEAR(objective_loss(Objective::Calibrated, *m, b, true, pc).loss.item<double>(), calib_npo, 1e-4);
  // --calib-shape npo-token: the same gate × (2/β_t)·softplus(β_t·(lp − lp_ref)/|y|), β_t = 0.7.
  pc.calib_per_token = true;
  pc.calib_token_beta = 0.7;
  double calib_tok = 0;
  for (size_t r = 0; r < 2; ++r) {
    double gate = 1 / (1 + std::exp(-pc.calib_k * (pc.calib_tau + lp[r] / cnt[r])));
    calib_tok += gate * (2 / 0.7) * std::log1p(std::exp(0.7 * (lp[r] - lp_ref[r]) / cnt[r])) / 2;
  }
  EXPECT_NEAR(objective_loss(Objective::Calibrated, *m, b, true, pc).loss.item<double>(), calib_tok, 1e-5);
  EXPECT_GT(std::abs(calib_tok - calib_npo), 1e-3) << "the per-token shape must differ from the summed one";
  // The NPO reference (adapter off) is the base model: its loss equals the fixture's base loss.
  auto base = model::CausalLM::load(fixture("olmo-tiny"), model::LoadOptions{torch::kFloat});
  auto base_logits = base->forward(b.input_ids, b.attention_mask);
  EXPECT_NEAR(model::causal_lm_loss(ref.to(torch::kFloat), b.labels).item<double>(),
              model::causal_lm_loss(base_logits, b.labels).item<double>(), 1e-6);
}

// Every objective gives the same loss and LoRA gradients on packed and padded batches of
// ragged rows (packing.h). NPO, SimNPO and the calibrated objective use per-row sums, KL the
// full distributions (batch_logits), so a row mix-up or a padding leak shows here. Tolerances:
// fp32 rounding of different GEMM shapes (see tests/model/packing_test.cpp).
TEST(Objectives, PackedEqualsPaddedForEveryObjective) {
  std::vector<data::Example> ex;
  for (int len : {5, 17, 9, 12}) {
    auto r = rows(1, len, uint64_t(len));
    r[0].target_nll = 2.5 + 0.1 * len;
    ex.push_back(r[0]);
  }
  auto m = tiny_with_adapter();
  auto b = make_batch(ex, {0, 1, 2, 3}, 0, m->device());
  ObjectiveParams p;
  p.calib_tau = 3.0;
  auto run = [&](Objective o, bool forget, bool packed) {
    const auto was = model::packing_options();
    model::set_packing_options({packed, 1024});
    for (auto& [k, t] : m->lora()->named_parameters()) t.mutable_grad() = torch::Tensor();
    auto loss = objective_loss(o, *m, b, forget, p).loss;
    loss.backward();
    std::vector<torch::Tensor> g = {loss.detach().reshape({1})};
    for (auto& [k, t] : m->lora()->named_parameters()) g.push_back(t.grad().reshape({-1}).clone());
    model::set_packing_options(was);
    return torch::cat(g);  // [1 + |θ|]: the loss, then every gradient
  };
  for (auto [o, forget] : std::vector<std::pair<Objective, bool>>{{Objective::GD, true}, {Objective::NPO, true},
                                                                  {Objective::SimNPO, true}, {Objective::Calibrated, true},
                                                                  {Objective::KL, false}}) {
    auto a = run(o, forget, true), c = run(o, forget, false);
    EXPECT_NEAR(a[0].item<double>(), c[0].item<double>(), 1e-4) << objective_name(o);
    auto ga = a.narrow(0, 1, a.size(0) - 1), gc = c.narrow(0, 1, c.size(0) - 1);
    EXPECT_GT(gc.abs().max().item<double>(), 0.0) << objective_name(o);
    EXPECT_LT((ga - gc).abs().max().item<double>() / gc.abs().max().item<double>(), 1e-3) << objective_name(o);
  }
}

namespace {
std::map<std::string, torch::Tensor> train(UnlearnData& d, TrainerOptions o, const std::string& out, int64_t batch,
                                           double dropout = 0.0, bool resume_run = false, int64_t halt = 0,
                                           bool with_retain = true) {
  auto m = tiny_with_adapter();
  m->lora()->cfg.dropout = dropout;
  PlanOptions po;
  po.batch_size = batch;
  po.epochs = 3;
  po.seed = 11;
  po.use_retain = with_retain && uses_retain(o.objective);
  o.out_dir = out;
  o.resume = resume_run;
  o.halt_after = halt;
  torch::manual_seed(3);
  Trainer t(*m, d, interleaved_plan(d, po), o);
  t.run();
  return m->lora()->snapshot();
}

double max_diff(const std::map<std::string, torch::Tensor>& a, const std::map<std::string, torch::Tensor>& b) {
  double m = 0;
  for (auto& [k, v] : a) m = std::max(m, (v - b.at(k)).abs().max().item<double>());
  return m;
}
}  // namespace

// Rows of different lengths (3, 5, 8 and 6 tokens): k micro-batches must give the gradient of
// one batch of their rows, pooled over tokens for a token-mean loss (ga) and over rows for a
// row-mean one (simnpo, calibrated); a plain mean of micro-batch means passes only on rows of
// equal length (issue #23, defect 3).
TEST(Trainer, AccumulatingMicroBatchesEqualsOneBatch) {
  auto d = small_data();
  const size_t lens[] = {3, 5, 8, 6};
  for (size_t i = 0; i < d.forget.size(); ++i) d.forget[i].ids.resize(lens[i]), d.forget[i].loss.resize(lens[i]);
  d.retain.clear();  // forget micro-batches only, so that both runs see the same rows in one step
  for (size_t i = 0; i < d.forget.size(); ++i) d.forget[i].target_nll = 20.0;  // every row below τ
  for (Objective obj : {Objective::GA, Objective::SimNPO, Objective::Calibrated}) {
    TrainerOptions o;
    o.objective = obj;
    o.objective_params.calib_tau = 20.0;
    o.objective_params.simnpo_beta = 0.1;  // not saturated at the random model's NLL (~7)
    // AdamW's first step is lr·g/(|g| + eps): with eps ≫ |g| and lr = eps it is the gradient
    // itself, so the update compares gradients (at eps 1e-8 it would be sign(g) and equal anyway).
    o.optimizer_options.adamw.eps = 1e3;
    o.optimizer_options.adamw.weight_decay = 0;
    o.schedule.base_lr = 1e3;
    o.clip = 0;
    o.max_steps = 1;
    std::string dir = test::temp_dir(std::string("accum-") + objective_name(obj));
    o.accumulation = 4;
    auto a = train(d, o, dir + "/a", 1, 0.0, false, 0, false);
    o.accumulation = 1;
    auto b = train(d, o, dir + "/b", 4, 0.0, false, 0, false);
    auto base = tiny_with_adapter()->lora()->snapshot();
    double moved = max_diff(a, base);
    EXPECT_GT(moved, 1e-6) << objective_name(obj) << ": the step must have moved the parameters";
    EXPECT_LT(max_diff(a, b) / moved, 1e-4) << objective_name(obj);
  }
}

// SophiaG's Gauss-Newton-Bartlett estimate through the lean head (forced) equals the one on
// full [B, T, V] logits: the same draws (the generators end in the same state), the same
// sampled labels, the same estimate, on rows of different lengths (padding, packing).
TEST(Curvature, GnbOnTheLeanHeadEqualsFullLogits) {
  auto m = tiny_with_adapter();
  std::vector<torch::Tensor> params;
  for (auto& [k, t] : m->trainable()) params.push_back(t);
  auto ex = rows(3, 12, 9);
  ex[0].ids.resize(5), ex[0].loss.resize(5), ex[2].ids.resize(9), ex[2].loss.resize(9);
  ex[1].loss[0] = ex[1].loss[1] = 0;  // an answer-only row: a prompt without loss positions
  auto b = make_batch(ex, {0, 1, 2}, 1, m->device());
  MicroBatch mb{true, {0, 1, 2}, 1.0};
  Rng a(42), c(42);
  auto full = curvature_estimate(*m, params, optim::HessianSource::GaussNewtonBartlett, b, mb, Objective::GA, {}, a);
  const int64_t was = model::lean_head_keep_bytes();
  model::set_lean_head_keep_bytes(0);
  auto lean = curvature_estimate(*m, params, optim::HessianSource::GaussNewtonBartlett, b, mb, Objective::GA, {}, c);
  model::set_lean_head_keep_bytes(was);
  ASSERT_EQ(full.size(), lean.size());
  double top = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    top = std::max(top, full[i].abs().max().item<double>());
    EXPECT_LE((full[i] - lean[i]).abs().max().item<double>(), 1e-4 * full[i].abs().max().item<double>() + 1e-12) << i;
  }
  EXPECT_GT(top, 0.0);
  EXPECT_EQ(a.uniform(), c.uniform()) << "the two paths drew a different number of uniforms";
}

// --curvature-rows retain: each forget micro-batch's curvature comes from the nearest retain one.
TEST(Curvature, RetainNeighbourIsTheNextRetainMicroBatchElseTheLastBefore) {
  auto plan_of = [](const std::string& roles) {
    std::vector<MicroBatch> p;
    for (char c : roles) p.push_back(MicroBatch{c == 'F', {0}, 1.0});
    return p;
  };
  auto p = plan_of("FFRFR");
  std::vector<size_t> want = {2, 2, 2, 4, 4};
  for (size_t i = 0; i < p.size(); ++i) EXPECT_EQ(retain_neighbour(p, i), want[i]) << i;
  EXPECT_EQ(retain_neighbour(plan_of("RFF"), 2), 0u);
  EXPECT_EQ(retain_neighbour(plan_of("FFF"), 1), 3u);  // none: plan.size()
}

// --sam-rho: the step's gradient is the one at θ + ρ·g/‖g‖ (Foret et al. 2021). With AdamW's
// eps ≫ |g| and lr = eps, the first update is the gradient itself, so θ_new = θ − g(θ + ε).
TEST(Trainer, SamStepUsesTheGradientAtThePerturbedPoint) {
  auto d = small_data();
  d.retain.clear();
  TrainerOptions o;
  o.objective = Objective::GA;
  o.optimizer_options.adamw.eps = 1e3;
  o.optimizer_options.adamw.weight_decay = 0;
  o.schedule.base_lr = 1e3;
  o.clip = 0;
  o.max_steps = 1;
  o.sam_rho = 0.5;
  auto got = train(d, o, test::temp_dir("sam") + "/run", 4, 0.0, false, 0, false);  // one micro-batch: every forget row
  // By hand.
  auto m = tiny_with_adapter();
  auto b = make_batch(d.forget, {0, 1, 2, 3}, 1, m->device());
  auto params = m->lora()->parameters();
  auto names = m->lora()->named_parameters();
  auto loss = [&] { return objective_loss(Objective::GA, *m, b, true, {}).loss; };
  auto g = torch::autograd::grad({loss()}, params);
  double sq = 0;
  for (auto& x : g) sq += x.pow(2).sum().item<double>();
  {
    torch::NoGradGuard ng;
    for (size_t i = 0; i < params.size(); ++i) params[i].add_(g[i] * (0.5 / std::sqrt(sq)));
  }
  auto g2 = torch::autograd::grad({loss()}, params);
  std::map<std::string, torch::Tensor> want, plain;
  {
    torch::NoGradGuard ng;
    size_t i = 0;
    for (auto& [k, p] : names) {
      auto theta = p - g[i] * (0.5 / std::sqrt(sq));  // back to θ
      want[k] = theta - g2[i];
      plain[k] = theta - g[i];
      ++i;
    }
  }
  const double moved = max_diff(want, plain);
  EXPECT_GT(moved, 1e-4) << "ρ must change the step, or the test cannot tell";
  EXPECT_LT(max_diff(got, want), 1e-2 * moved);
}

// --fisher-step: every update is scaled per coordinate, θ ← θ + s ⊙ Δθ. One plain step and one
// with s (0 on the first tensor, a random factor in [0, 1] elsewhere) from the same start.
TEST(Trainer, StepScaleScalesEachUpdate) {
  auto d = small_data();
  TrainerOptions o;
  o.objective = Objective::GD;
  o.schedule.base_lr = 1e-2;
  o.max_steps = 1;
  auto start = tiny_with_adapter()->lora()->snapshot();
  auto plain = train(d, o, test::temp_dir("scale0") + "/run", 2);
  auto names = tiny_with_adapter()->lora()->named_parameters();
  torch::manual_seed(5);
  for (size_t i = 0; i < names.size(); ++i)
    o.step_scale.push_back(i == 0 ? torch::zeros_like(names[i].second) : torch::rand_like(names[i].second));
  auto scaled = train(d, o, test::temp_dir("scale1") + "/run", 2);
  double moved = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    const auto& k = names[i].first;
    auto want = start.at(k) + o.step_scale[i] * (plain.at(k) - start.at(k));
    moved = std::max(moved, (plain.at(k) - start.at(k)).abs().max().item<double>());
    EXPECT_LT((scaled.at(k) - want).abs().max().item<double>(), 1e-6) << k;
  }
  EXPECT_GT(moved, 1e-4);
  EXPECT_TRUE(torch::equal(scaled.at(names[0].first), start.at(names[0].first)));
}

// The weights themselves: token units for token-mean terms and every retain batch, row units
// for a row-mean forget term, normalised per role within the step.
TEST(Trainer, AccumulationWeightsFollowTheLossUnit) {
  auto d = small_data();
  d.forget[0].ids.resize(3), d.forget[0].loss.resize(3);  // 2 scored tokens; the others have 7
  std::vector<MicroBatch> plan = {{true, {0}, 1.0}, {true, {1}, 1.0}, {false, {0}, 1.0}, {false, {1, 2}, 1.0}};
  auto w = accumulation_weights(plan, 0, 4, d, Objective::GD);
  EXPECT_NEAR(w[0], 2.0 * 2 / 9, 1e-12);
  EXPECT_NEAR(w[1], 7.0 * 2 / 9, 1e-12);
  EXPECT_NEAR(w[2], 7.0 * 2 / 21, 1e-12);  // retain: 7 and 14 tokens
  EXPECT_NEAR(w[3], 14.0 * 2 / 21, 1e-12);
  w = accumulation_weights(plan, 0, 4, d, Objective::NPO);
  EXPECT_DOUBLE_EQ(w[0], 1.0);  // one row each: equal units
  EXPECT_DOUBLE_EQ(w[1], 1.0);
  EXPECT_NEAR(w[3], 14.0 * 2 / 21, 1e-12);  // retain stays token-weighted
  EXPECT_EQ(accumulation_weights(plan, 3, 4, d, Objective::GD).size(), 1u) << "the last step may be short";
}

class Resume : public ::testing::TestWithParam<std::string> {};

TEST_P(Resume, ResumedRunEqualsUninterruptedBitForBit) {
  auto d = small_data();
  TrainerOptions o;
  o.objective = Objective::GD;
  o.optimizer = GetParam() == "adamw" ? "adamw" : "sophia";
  if (o.optimizer == "sophia") {
    o.optimizer_options.sophia = optim::SophiaOptions::defaults(optim::parse_sophia_variant(GetParam()));
    o.optimizer_options.sophia.hessian_interval = 2;
  }
  o.schedule.kind = optim::ScheduleKind::Cosine;
  o.schedule.base_lr = 1e-3;
  o.schedule.warmup_steps = 2;
  o.checkpoint_every = 3;
  std::string dir = test::temp_dir("resume-" + GetParam());
  auto full = train(d, o, dir + "/full", 1, 0.1);
  train(d, o, dir + "/cut", 1, 0.1, false, /*halt=*/6);
  ASSERT_EQ(Trainer::latest_checkpoint(dir + "/cut"), 6);
  auto resumed = train(d, o, dir + "/cut", 1, 0.1, true);
  EXPECT_EQ(max_diff(full, resumed), 0.0);
}

INSTANTIATE_TEST_SUITE_P(Optimizers, Resume, ::testing::Values("adamw", "g", "seed", "h"));

TEST(Trainer, NonFiniteLossRollsBackAndStopsAfterThree) {
  auto d = small_data();
  TrainerOptions o;
  o.objective = Objective::GA;
  o.schedule.base_lr = 1e30;  // blows up after the first update
  o.clip = 0;
  std::string dir = test::temp_dir("nan");
  EXPECT_THROW(train(d, o, dir, 1), libu::Error);
}

TEST(Trainer, TimeBudgetStopsCleanlyAndKeepsBestState) {
  auto d = small_data();
  auto m = tiny_with_adapter();
  TrainerOptions o;
  o.objective = Objective::GD;
  o.schedule.base_lr = 1e-3;
  o.time_budget_s = 1e-9;  // expires after the first step
  o.best_rule = BestRule::RetainBounded;
  o.val_forget = d.forget;
  o.val_retain = d.retain;
  o.retain_tolerance = 10.0;
  o.out_dir = test::temp_dir("budget");
  PlanOptions po;
  po.epochs = 3;
  Trainer t(*m, d, interleaved_plan(d, po), o);
  auto r = t.run();
  EXPECT_TRUE(r.stopped_by_budget);
  EXPECT_EQ(r.steps_done, 1);
  EXPECT_GT(r.total_steps, 1);
  ASSERT_FALSE(r.best.is_null());
  EXPECT_EQ(r.best["step"].get<int64_t>(), 1);
  EXPECT_TRUE(std::filesystem::exists(o.out_dir + "/best/adapter/adapter_model.safetensors"));
}

// A damaged newest checkpoint (truncated state.json, or a truncated adapter) is skipped with a
// warning; resuming from the one before replays the same steps, so the result is unchanged.
TEST(Trainer, DamagedLatestCheckpointFallsBackToTheOneBefore) {
  auto d = small_data();
  TrainerOptions o;
  o.objective = Objective::GD;
  o.optimizer = "adamw";
  o.schedule.base_lr = 1e-3;
  o.checkpoint_every = 3;
  std::string dir = test::temp_dir("damaged");
  auto full = train(d, o, dir + "/full", 1);
  for (std::string damaged : {"state.json", "adapter/adapter_model.safetensors"}) {
    std::string cut = dir + "/cut-" + std::to_string(damaged.size());
    train(d, o, cut, 1, 0.0, false, /*halt=*/6);
    ASSERT_EQ(Trainer::checkpoint_steps(cut), (std::vector<int64_t>{6, 3}));
    std::string f = cut + "/checkpoints/step-6/" + damaged;
    auto bytes = libu::read_file(f);
    libu::write_file_atomic(f, bytes.substr(0, bytes.size() / 2));
    auto resumed = train(d, o, cut, 1, 0.0, true);
    EXPECT_EQ(max_diff(full, resumed), 0.0) << damaged;
  }
}
