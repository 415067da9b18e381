// Calibration (docs/unlearning.md "Calibration"): the loss-attack AUC against the official
// scorer's ROC AUC, the calibrated objective against a hand computation and its bounded
// push, best-state selection, early stopping on overshoot, the phase-1 search, bad input.
#include <gtest/gtest.h>

#include <map>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "common/shared.h"
#include "libu/core/error.h"
#include "libu/core/auc.h"
#include "libu/io/records.h"
#include "libu/model/loss.h"
#include "libu/model/packing.h"
#include "libu/model/lm_head.h"
#include "libu/model/peft_io.h"
#include "libu/unlearn/auto_lr.h"
#include "libu/unlearn/calibration.h"
#include "libu/unlearn/fisher.h"
#include "libu/unlearn/run.h"
#include "unlearn/fixture.h"

using namespace libu;
using namespace libu::unlearn;
using namespace libu::unlearn::testing;
using nlohmann::json;

namespace {

std::shared_ptr<model::CausalLM> tiny() { return tiny_with_adapter(); }

// The gradient of loss() along a random direction (scaled by `scale`) against central finite
// differences.

}  // namespace

TEST(Calibration, LossAttackAucEqualsOfficialRocAuc) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> mem, non;
    std::uniform_int_distribution<int> n(1, 30), v(0, 12);  // small integer grid: many ties
    int nm = n(rng), nn = n(rng);
    for (int i = 0; i < nm; ++i) mem.push_back(0.25 * v(rng));
    for (int i = 0; i < nn; ++i) non.push_back(0.25 * v(rng) + 0.5);
    std::vector<int> labels;
    std::vector<double> scores;
    for (double x : mem) labels.push_back(1), scores.push_back(-x);
    for (double x : non) labels.push_back(0), scores.push_back(-x);
    EXPECT_NEAR(loss_attack_auc(mem, non), libu::roc_auc(labels, scores), 1e-12) << "trial " << trial;
  }
  EXPECT_DOUBLE_EQ(loss_attack_auc({1, 2}, {3, 4}), 1.0);  // members more familiar: AUC 1
  EXPECT_DOUBLE_EQ(loss_attack_auc({5, 6}, {3, 4}), 0.0);  // pushed past: AUC 0
  EXPECT_TRUE(std::isnan(loss_attack_auc({}, {1})));
  EXPECT_DOUBLE_EQ(mia_score(0.5), 1.0);
  EXPECT_DOUBLE_EQ(mia_score(1.0), 0.0);
  EXPECT_DOUBLE_EQ(mia_score(0.25), 0.5);
}

TEST(Calibration, AucByKindComparesWithinAKind) {
  // Pooled, QA members (low NLL) beat SC non-members (high NLL) by kind alone.
  std::vector<double> mem = {1.0, 1.1, 6.0, 6.1}, non = {1.05, 6.05};
  std::vector<std::string> mk = {"qa", "qa", "sc", "sc"}, nk = {"qa", "sc"};
  auto a = auc_by_kind(mem, mk, non, nk);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_DOUBLE_EQ(a["qa"], 0.5);
  EXPECT_DOUBLE_EQ(a["sc"], 0.5);
  // One kind: the plain loss-attack AUC. A kind without non-members: compared with all of them.
  auto one = auc_by_kind({1, 2, 3}, {"", "", ""}, {2.5, 0.5}, {"", ""});
  EXPECT_DOUBLE_EQ(one[""], loss_attack_auc({1, 2, 3}, {2.5, 0.5}));
  auto star = auc_by_kind({1}, {"qa"}, {2, 0.5}, {"sc", "sc"});
  EXPECT_DOUBLE_EQ(star["*"], 0.5);
  EXPECT_EQ(row_kind("abc-sc1"), "sc");
  EXPECT_EQ(row_kind("abc-qa3"), "qa");
  EXPECT_EQ(row_kind("document-7"), "");
}

TEST(Calibration, RowNllsMatchPerRowLoss) {
  auto m = tiny();
  auto ex = rows(5, 9, 3);
  ex[2].ids.resize(6), ex[2].loss.resize(6);  // ragged: padding must not count
  auto nll = row_nlls(*m, ex, 1, 3);
  ASSERT_EQ(nll.size(), 5u);
  torch::NoGradGuard ng;
  for (size_t i = 0; i < ex.size(); ++i) {
    auto b = make_batch(ex, {i}, 1, m->device());
    double want = model::causal_lm_loss(m->forward(b.input_ids, b.attention_mask), b.labels).item<double>();
    EXPECT_NEAR(nll[i], want, 1e-5) << i;
  }
}

TEST(CalibratedObjective, ValueMatchesHandComputationAndPushIsBounded) {
  auto m = tiny();
  auto ex = rows(3, 8, 5);
  auto b = make_batch(ex, {0, 1, 2}, 1, m->device());
  auto nll = row_nlls(*m, ex, 1, 3);
  ObjectiveParams p;
  p.calib_k = 4;
  p.calib_tau = mean_of(nll);  // some rows below τ, some above
  auto t = objective_loss(Objective::Calibrated, *m, b, true, p);
  double want = 0;
  for (double x : nll) want += std::log1p(std::exp(p.calib_k * (p.calib_tau - x))) / p.calib_k;
  EXPECT_NEAR(t.loss.item<double>(), want / 3, 1e-5);
  // Row weights (kind balance) and per-row τ: a weighted mean with each row's own level.
  {
    auto bw = b;
    bw.weight = torch::tensor({2.0f, 1.0f, 1.0f});
    bw.target_nll = torch::tensor({float(nll[0] + 1), NAN, NAN});
    double ww = 0;
    for (int i = 0; i < 3; ++i) {
      double tau = i == 0 ? nll[0] + 1 : p.calib_tau, w = i == 0 ? 2 : 1;
      ww += w * std::log1p(std::exp(p.calib_k * (tau - nll[size_t(i)]))) / p.calib_k;
    }
    EXPECT_NEAR(objective_loss(Objective::Calibrated, *m, bw, true, p).loss.item<double>(), ww / 3, 1e-5);
    // Micro-batches of one kind each (always so at batch size 1): each keeps its kind's weight,
    // so the sum over micro-batches is the kind-balanced mean (issue #23, defect 2).
    double across = 0;
    for (size_t i = 0; i < 3; ++i) {
      auto bi = make_batch(ex, {i}, 1, m->device());
      bi.weight = torch::tensor({i == 0 ? 2.0f : 1.0f});
      bi.target_nll = torch::tensor({i == 0 ? float(nll[0] + 1) : NAN});
      across += objective_loss(Objective::Calibrated, *m, bi, true, p).loss.item<double>() / 3;
    }
    EXPECT_NEAR(across, ww / 3, 1e-5) << "per-kind weights must not cancel within a micro-batch";
  }
  // Gradient vs central finite differences along a random direction of the LoRA parameters.
  auto params = m->lora()->parameters();
  expect_gradient_matches_fd(params, [&] { return objective_loss(Objective::Calibrated, *m, b, true, p).loss; }, 9, 1.0);
  // The NPO shapes (summed and per-token log-ratio) against finite differences too. Their gate
  // σ(k(τ − NLL)) carries no gradient by design, so τ sits far above every row (gate 1, flat).
  for (bool per_token : {false, true}) {
    ObjectiveParams pn = p;
    pn.calib_tau = *std::max_element(nll.begin(), nll.end()) + 10;
    pn.calib_npo = true;
    pn.calib_per_token = per_token;
    expect_gradient_matches_fd(params, [&] { return objective_loss(Objective::Calibrated, *m, b, true, pn).loss; }, 9, 1.0);
  }
  // Rows far above τ stop pulling: the gradient vanishes.
  p.calib_tau = *std::min_element(nll.begin(), nll.end()) - 10;
  auto t2 = objective_loss(Objective::Calibrated, *m, b, true, p);
  double gn = 0;
  for (auto& x : torch::autograd::grad({t2.loss}, params)) gn += x.pow(2).sum().item<double>();
  EXPECT_LT(std::sqrt(gn), 1e-12);
  // Without τ: a clear error.
  ObjectiveParams none;
  EXPECT_THROW(objective_loss(Objective::Calibrated, *m, b, true, none), libu::Error);
}

// --calib-target tokens: each token is aimed at the holdout quantile of its rank in its row.
TEST(CalibratedObjective, TokenTargetsFollowRanksAndQuantiles) {
  // One row, token NLLs 1, 3, 2 (a padded fourth position), a table of Q = 3 quantiles.
  auto logp = torch::tensor({{-1.0f, -3.0f, -2.0f, 0.0f}});
  auto mask = torch::tensor({{1.0f, 1.0f, 1.0f, 0.0f}});
  TensorBatch b;
  b.target_kind = torch::tensor({int64_t(0)});
  auto q = torch::tensor({0.5f, 1.0f, 4.0f, 9.0f, 9.0f, 9.0f}).view({2, 3});  // kind 0, then "all kinds"
  auto t = token_targets(logp, mask, b, q);
  // Ranks 0, 2, 1 -> quantile positions (r + 0.5)/3·3 − 0.5 = r: targets 0.5, 4.0, 1.0; padding 0.
  EXPECT_TRUE(torch::allclose(t, torch::tensor({{0.5f, 4.0f, 1.0f, 0.0f}}))) << t;
  b.target_kind = torch::tensor({int64_t(-1)});
  EXPECT_TRUE(torch::allclose(token_targets(logp, mask, b, q), torch::tensor({{9.0f, 9.0f, 9.0f, 0.0f}})));
  // Two tokens on a 4-quantile table interpolate: positions (r + 0.5)/2·4 − 0.5 = 0.5 and 2.5.
  auto q4 = torch::tensor({0.0f, 1.0f, 2.0f, 3.0f}).view({1, 4});
  b.target_kind = torch::tensor({int64_t(0)});
  auto t2 = token_targets(torch::tensor({{-5.0f, -1.0f}}), torch::ones({1, 2}), b, q4);
  EXPECT_TRUE(torch::allclose(t2, torch::tensor({{2.5f, 0.5f}}))) << t2;
}

// The token loss equals the hand computation (mean over tokens of softplus(k(t − nll))/k with
// the targets of token_targets), its gradient matches finite differences (the targets are
// constants of the step), and a row already above every target stops pulling.
TEST(CalibratedObjective, TokenLossMatchesHandComputationAndFiniteDifferences) {
  auto m = tiny();
  auto ex = rows(3, 8, 5);
  auto b = make_batch(ex, {0, 1, 2}, 1, m->device());
  ObjectiveParams p;
  p.calib_k = 4;
  p.calib_tau = 5;
  p.calib_quantiles = torch::linspace(2.0, 9.0, 16).view({1, 16});  // one table: every row aims at it
  auto t = objective_loss(Objective::Calibrated, *m, b, true, p);
  torch::Tensor logp, mask;
  {
    torch::NoGradGuard ng;
    std::tie(logp, mask) = model::lean_token_logprobs(*m, b.input_ids, b.attention_mask, b.labels);
  }
  auto target = token_targets(logp, mask, b, p.calib_quantiles);
  double want = 0;
  for (int64_t r = 0; r < 3; ++r) {
    double s = 0, n = 0;
    for (int64_t i = 0; i < logp.size(1); ++i)
      if (mask[r][i].item<float>() > 0) {
        s += std::log1p(std::exp(4.0 * (target[r][i].item<double>() + logp[r][i].item<double>()))) / 4.0;
        n += 1;
      }
    want += s / n;
  }
  EXPECT_NEAR(t.loss.item<double>(), want / 3, 1e-5);
  auto params = m->lora()->parameters();
  expect_gradient_matches_fd(params, [&] { return objective_loss(Objective::Calibrated, *m, b, true, p).loss; }, 11, 1e-2);
  p.calib_quantiles = torch::full({1, 16}, -20.0f);  // every token far above its target
  double gn = 0;
  for (auto& x : torch::autograd::grad({objective_loss(Objective::Calibrated, *m, b, true, p).loss}, params))
    gn += x.pow(2).sum().item<double>();
  EXPECT_LT(std::sqrt(gn), 1e-12);
}

// --calib-target vocab: the per-id table equals a hand count over the holdout's token NLLs
// (smoothed towards their mean with weight 1), ids the holdout lacks get the mean; the loss is
// the mean over tokens of softplus(k(t_id − nll))/k, and its gradient matches finite differences.
TEST(CalibratedObjective, VocabTargetsMatchHandCountAndFiniteDifferences) {
  auto m = tiny();
  auto h = rows(4, 8, 9);
  const int64_t V = m->config().vocab_size;
  auto table = holdout_vocab_targets(*m, h, 1, 2, V);
  ASSERT_EQ(table.sizes(), (std::vector<int64_t>{V}));
  std::map<int64_t, std::pair<double, double>> by_id;  // id -> (Σ NLL, count)
  double all = 0, n = 0;
  for (auto& e : h) {
    auto b = make_batch(h, {size_t(&e - h.data())}, 1, m->device());
    torch::NoGradGuard ng;
    auto logits = model::batch_logits(*m, b.input_ids, b.attention_mask);  // [1, T, V]
    auto lp = torch::log_softmax(logits[0], -1);                          // [T, V]
    for (size_t t = 1; t < e.ids.size(); ++t) {
      if (!e.loss[t]) continue;
      double x = -lp[int64_t(t) - 1][e.ids[t]].item<double>();
      by_id[e.ids[t]].first += x, by_id[e.ids[t]].second += 1, all += x, n += 1;
    }
  }
  const double mu = all / n;
  for (auto& [v, sc] : by_id) EXPECT_NEAR(table[v].item<double>(), (sc.first + mu) / (sc.second + 1), 1e-4) << v;
  for (int64_t v = 0; v < V; ++v) {
    if (!by_id.count(v)) EXPECT_NEAR(table[v].item<double>(), mu, 1e-4) << v;
  }

  auto ex = rows(3, 8, 5);
  auto b = make_batch(ex, {0, 1, 2}, 1, m->device());
  ObjectiveParams p;
  p.calib_k = 4;
  p.calib_tau = 5;
  p.calib_vocab = table + 3.0;  // far enough above the rows that every token pulls
  auto loss = objective_loss(Objective::Calibrated, *m, b, true, p).loss;
  torch::Tensor logp, mask;
  {
    torch::NoGradGuard ng;
    std::tie(logp, mask) = model::lean_token_logprobs(*m, b.input_ids, b.attention_mask, b.labels);
  }
  double want = 0;
  for (int64_t r = 0; r < 3; ++r) {
    double s = 0, c = 0;
    for (int64_t i = 0; i < logp.size(1); ++i)
      if (mask[r][i].item<float>() > 0) {
        const int64_t id = b.labels[r][i + 1].item<int64_t>();
        s += std::log1p(std::exp(4.0 * (p.calib_vocab[id].item<double>() + logp[r][i].item<double>()))) / 4.0;
        c += 1;
      }
    want += s / c;
  }
  EXPECT_NEAR(loss.item<double>(), want / 3, 1e-5);
  auto params = m->lora()->parameters();
  expect_gradient_matches_fd(params, [&] { return objective_loss(Objective::Calibrated, *m, b, true, p).loss; }, 11, 1e-2);
}

// The holdout's token quantiles: sorted per kind, and their mean is the pooled mean token NLL.
TEST(Calibration, HoldoutTokenQuantilesDescribeTheHoldout) {
  auto m = tiny();
  auto h = rows(6, 8, 7);
  for (size_t i = 0; i < h.size(); ++i) h[i].id = i < 3 ? cat("d", i, "sc1") : cat("d", i, "qa0");
  auto tq = holdout_token_quantiles(*m, h, 1, 4, 256);
  ASSERT_EQ(tq.kinds, (std::vector<std::string>{"qa", "sc"}));
  ASSERT_EQ(tq.table.sizes(), (std::vector<int64_t>{3, 256}));
  for (int64_t k = 0; k < 3; ++k) EXPECT_TRUE(torch::equal(std::get<0>(tq.table[k].sort()), tq.table[k]));
  EXPECT_EQ(tq.index_of("xsc1"), 1);
  EXPECT_EQ(tq.index_of("plain"), -1);
  // Equal-length rows: the pooled mean token NLL is the mean of the row means.
  EXPECT_NEAR(tq.table[2].mean().item<double>(), mean_of(row_nlls(*m, h, 1, 4)), 0.05);
}

TEST(Selection, CalibratedKeyPrefersMiaThenForgetRiseAndBoundsRetain) {
  json a = {{"val_forget_nll", 2.0}, {"val_retain_nll", 1.1}, {"mia_score", 0.8}};
  json b = {{"val_forget_nll", 3.0}, {"val_retain_nll", 1.1}, {"mia_score", 0.8}};
  json c = {{"val_forget_nll", 1.5}, {"val_retain_nll", 1.1}, {"mia_score", 0.9}};
  json bad = {{"val_forget_nll", 4.0}, {"val_retain_nll", 2.0}, {"mia_score", 1.0}};
  auto k = [](const json& j) { return selection_key(BestRule::Calibrated, j, 1.0, 0.25); };
  EXPECT_GT(k(b), k(a));  // tie on MIA: larger forget NLL wins
  EXPECT_GT(k(c), k(b));  // higher MIA wins
  EXPECT_TRUE(std::isinf(k(bad).first));
  EXPECT_GT(selection_key(BestRule::RetainBounded, b, 1.0, 0.25), selection_key(BestRule::RetainBounded, c, 1.0, 0.25));
}

TEST(Selection, UtilityGuardMakesDamagedStatesIneligible) {
  json ok = {{"val_forget_nll", 3.0}, {"val_retain_nll", 1.0}, {"mia_score", 0.9}, {"utility_rise", 0.05}};
  json hurt = {{"val_forget_nll", 5.0}, {"val_retain_nll", 1.0}, {"mia_score", 1.0}, {"utility_rise", 0.3}};
  for (auto rule : {BestRule::Calibrated, BestRule::RetainBounded}) {
    EXPECT_FALSE(std::isinf(selection_key(rule, ok, 1.0, 0.25, 0.1).first));
    EXPECT_TRUE(std::isinf(selection_key(rule, hurt, 1.0, 0.25, 0.1).first));
    EXPECT_FALSE(std::isinf(selection_key(rule, hurt, 1.0, 0.25).first)) << "no tolerance given: no guard";
  }
}

namespace {
// GA at a large LR on random rows, validating every step: it overshoots past any holdout and
// damages any never-seen rows.
void ga_setup(UnlearnData& d, TrainerOptions& o, const std::string& dir, BestRule rule) {
  d.forget = rows(4, 8, 1);
  d.retain = rows(4, 8, 2);
  d.pad_id = 1;
  o.objective = Objective::GA;
  o.schedule.base_lr = 2e-2;
  o.clip = 0;
  o.eval_every = 1;
  o.best_rule = rule;
  o.retain_tolerance = 1e9;
  o.val_forget = d.forget;
  o.val_retain = d.retain;
  o.out_dir = dir;
}

TrainResult ga_run(const UnlearnData& d, const TrainerOptions& o, std::vector<json>* lines) {
  auto m = tiny();
  PlanOptions po;
  po.epochs = 20;
  po.use_retain = false;
  Trainer t(*m, d, interleaved_plan(d, po), o);
  auto r = t.run();
  std::ifstream in(o.out_dir + "/metrics.jsonl");
  std::string line;
  while (lines && std::getline(in, line)) {
    auto j = json::parse(line);
    if (j.contains("validation")) lines->push_back(j["validation"]);
  }
  return r;
}

// The forget rows overshoot past the holdout.
TrainResult overshoot_run(const std::string& dir, BestRule rule, std::vector<json>* lines) {
  UnlearnData d;
  TrainerOptions o;
  ga_setup(d, o, dir, rule);
  o.holdout = rows(4, 8, 4);
  return ga_run(d, o, lines);
}
}  // namespace

TEST(Trainer, CalibratedBestIsTheMostIndistinguishableStateAndOvershootStops) {
  std::vector<json> vals;
  auto r = overshoot_run(test::temp_dir("calib-best"), BestRule::Calibrated, &vals);
  ASSERT_GE(vals.size(), 3u);
  EXPECT_EQ(vals[0]["step"], 0) << "the starting state is validated too";
  EXPECT_TRUE(r.stopped_by_overshoot) << "GA at this LR must overshoot past the holdout";
  EXPECT_LT(r.steps_done, r.total_steps);
  double top = -1;
  for (auto& v : vals) top = std::max(top, v["mia_score"].get<double>());
  ASSERT_FALSE(r.best.is_null());
  EXPECT_DOUBLE_EQ(r.best["mia_score"].get<double>(), top);
  // The last two validations are past the margin.
  EXPECT_LT(vals[vals.size() - 1]["auc"].get<double>(), 0.4);
  EXPECT_LT(vals[vals.size() - 2]["auc"].get<double>(), 0.4);
}

// Ascent on the forget rows also raises the NLL of unrelated never-seen rows: with them as
// --general, the guard logs utility_rise, keeps no state above the tolerance and stops the run.
TEST(Trainer, UtilityGuardStopsAndNeverKeepsADamagedState) {
  UnlearnData d;
  TrainerOptions o;
  ga_setup(d, o, test::temp_dir("utility-guard"), BestRule::RetainBounded);
  o.general = rows(4, 8, 5);
  o.utility_tolerance = 0.05;
  std::vector<json> vals;
  auto r = ga_run(d, o, &vals);
  EXPECT_TRUE(r.stopped_by_utility) << "GA at this LR must damage never-seen rows";
  EXPECT_FALSE(r.stopped_by_overshoot);
  EXPECT_LT(r.steps_done, r.total_steps);
  ASSERT_GE(vals.size(), 3u);
  EXPECT_DOUBLE_EQ(vals[0]["utility_rise"].get<double>(), 0.0);
  EXPECT_GT(vals.back()["utility_rise"].get<double>(), 0.05);
  EXPECT_GT(vals[vals.size() - 2]["utility_rise"].get<double>(), 0.05);
  ASSERT_FALSE(r.best.is_null());
  EXPECT_LE(r.best["utility_rise"].get<double>(), 0.05);
  EXPECT_DOUBLE_EQ(r.best["general_nll"].get<double>() - vals[0]["general_nll"].get<double>(),
                   r.best["utility_rise"].get<double>());
}

TEST(Phase1, AutoSearchKeepsRetainBoundAndStopsAtTau) {
  auto m = tiny();
  UnlearnData d;
  d.forget = rows(4, 8, 1);
  d.retain = rows(4, 8, 2);
  d.pad_id = 1;
  auto s = influence_stats(*m, d, 1, 2);
  auto measure = [&] {
    return std::make_pair(mean_of(row_nlls(*m, d.forget, 1, 4)), mean_of(row_nlls(*m, d.retain, 1, 4)));
  };
  auto before = m->lora()->snapshot();
  auto [f0, r0] = measure();
  double tau = f0 + 0.5, budget = 0.05;
  auto res = search_phase1_lr(*m, s, 1e-4, +1, f0, r0, budget, tau, measure, 8);
  ASSERT_FALSE(res.trials.empty());
  for (auto& [k, v] : m->lora()->snapshot()) EXPECT_TRUE(torch::equal(v, before.at(k))) << "trials must restore " << k;
  for (auto& t : res.trials) {
    bool ok = t.forget_nll > f0 && t.retain_nll - r0 <= budget && t.forget_nll <= tau;
    EXPECT_EQ(t.accepted, ok) << t.lr;
  }
  ASSERT_GT(res.lr, 0) << "some step must be accepted";
  // The chosen η₁ is the largest accepted; the bracket around it is tighter than one grid step.
  double smallest_rejected = INFINITY;
  for (auto& t : res.trials) {
    if (t.accepted) {
      EXPECT_LE(t.lr, res.lr);
    } else {
      smallest_rejected = std::min(smallest_rejected, t.lr);
    }
  }
  if (std::isfinite(smallest_rejected)) {
    EXPECT_LT(smallest_rejected / res.lr, 4.0 + 1e-9);
  }
}

TEST(AutoLr, GridIsGeometricAroundTheBase) {
  auto g = auto_lr_grid(1e-3, 4);
  ASSERT_EQ(g.size(), 4u);
  EXPECT_NEAR(g[2], 1e-3, 1e-15);
  EXPECT_NEAR(g[0], 1e-3 / 9, 1e-15);
  EXPECT_NEAR(g[3], 3e-3, 1e-15);
  EXPECT_THROW(auto_lr_grid(1e-3, 1), libu::Error);
}

// Successive halving's cost in shares of --time-budget (hand-computed): 2 rates = 2 trials of
// total/2 steps, then the winner adds total/2 (cost 1.5·total); 4 rates = 4 × total/4, 2 × total/4
// more, 1 × total/2 more (cost 2·total). Each trial's slice is the steps it adds over the cost.
TEST(AutoLr, TimeSharesFollowTheStepsEachTrialAdds) {
  auto two = rung_time_shares(2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_NEAR(two[0], 1.0 / 3, 1e-12);
  EXPECT_NEAR(two[1], 1.0 / 3, 1e-12);
  auto four = rung_time_shares(4);
  ASSERT_EQ(four.size(), 3u);
  EXPECT_NEAR(four[0], 0.125, 1e-12);
  EXPECT_NEAR(four[1], 0.125, 1e-12);
  EXPECT_NEAR(four[2], 0.25, 1e-12);
  auto three = rung_time_shares(3);  // 3 trials, then 2, then 1: 3·¼ + 2·¼ + ½ = 1.75
  EXPECT_NEAR(3 * three[0] + 2 * three[1] + three[2], 1.0, 1e-12);
}

TEST(Records, DocumentsJsonlBecomesRows) {
  std::string dir = test::temp_dir("holdout-docs");
  std::ofstream(dir + "/docs.jsonl") << "{\"document\": \"one never seen text\"}\n{\"document\": \"another\"}\n";
  auto docs = io::load_rows_or_documents(dir + "/docs.jsonl", "holdout");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[1].input, "another");
  EXPECT_EQ(docs[1].output, "");
}

// Selection on training rows is said on every path (issue #23, defect 5): the fallback returns
// the first 64 training rows and warns naming the missing flag; given rows are used silently.
TEST(Calibration, SelectionFallbackToTrainingRowsWarns) {
  auto train_rows = rows(70, 6, 2);
  auto given = rows(3, 6, 4);
  ::testing::internal::CaptureStderr();
  auto fallback = selection_rows({}, train_rows, "--val-forget", "phase 1 measures its eta1 search");
  std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(fallback.size(), 64u);
  EXPECT_EQ(fallback[5].ids, train_rows[5].ids);
  EXPECT_NE(err.find("--val-forget"), std::string::npos) << err;
  EXPECT_NE(err.find("first 64 training rows"), std::string::npos) << err;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(selection_rows(given, train_rows, "--val-forget", "x").size(), 3u);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

// --mia-kinds: the validation AUC and MIA score average only the named kinds (sc: the
// documents, what SemEval's MIA attacks); naming none present, or none at all, averages every
// kind; the per-kind mean NLLs are the means of row_nlls by kind.
TEST(Calibration, MiaKindsChooseWhichKindsTheScoreAverages) {
  auto m = tiny();
  auto f = rows(4, 9, 31), h = rows(4, 9, 32);
  for (size_t i = 0; i < 4; ++i) {
    f[i].id = "f" + std::to_string(i) + (i < 2 ? "sc1" : "qa0");
    h[i].id = "h" + std::to_string(i) + (i < 2 ? "sc1" : "qa0");
  }
  std::vector<std::string> sc = {"sc"}, none = {"xx"};
  CalibrationSets s{&f, &h, nullptr, nullptr, 1, 2};
  Calibration all = measure_calibration(*m, s);
  ASSERT_EQ(all.kind_auc.size(), 2u);
  EXPECT_NEAR(all.mia, (mia_score(all.kind_auc["sc"]) + mia_score(all.kind_auc["qa"])) / 2, 1e-12);
  s.mia_kinds = &sc;
  Calibration only = measure_calibration(*m, s);
  EXPECT_DOUBLE_EQ(only.auc, all.kind_auc["sc"]);
  EXPECT_DOUBLE_EQ(only.mia, mia_score(all.kind_auc["sc"]));
  s.mia_kinds = &none;
  EXPECT_DOUBLE_EQ(measure_calibration(*m, s).mia, all.mia);
  auto fn = row_nlls(*m, f, 1, 2);
  EXPECT_NEAR(all.forget_by_kind["sc"], (fn[0] + fn[1]) / 2, 1e-9);
  EXPECT_NEAR(all.forget_by_kind["qa"], (fn[2] + fn[3]) / 2, 1e-9);
}

// --calib-weight: "kind" gives each row kind the same total weight, "tokens" each row its share
// of the scored tokens (position 0 is never scored); both have mean 1. Hand-computed: one
// document (10 scored tokens) and two answers (4 and 2).
TEST(Calibration, ForgetWeightsByKindOrByTokens) {
  auto row = [](const std::string& id, size_t len) {
    data::Example e;
    e.id = id;
    e.ids.assign(len, 7);
    e.loss.assign(len, 1);
    return e;
  };
  std::vector<data::Example> f = {row("d1sc1", 11), row("d1qa0", 5), row("d2qa0", 3)};
  set_forget_weights(f, "kind");
  EXPECT_DOUBLE_EQ(f[0].weight, 1.5);   // 3 rows / (2 kinds × 1 sc row)
  EXPECT_DOUBLE_EQ(f[1].weight, 0.75);  // 3 / (2 × 2 qa rows)
  EXPECT_DOUBLE_EQ(f[2].weight, 0.75);
  set_forget_weights(f, "tokens");
  EXPECT_DOUBLE_EQ(f[0].weight, 3.0 * 10 / 16);
  EXPECT_DOUBLE_EQ(f[1].weight, 3.0 * 4 / 16);
  EXPECT_DOUBLE_EQ(f[2].weight, 3.0 * 2 / 16);
}
