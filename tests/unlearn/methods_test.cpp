// Methods with their own loss file under unlearn/methods/: a hand computation of the loss on a
// tiny batch and a finite-difference check of its gradient.
#include <gtest/gtest.h>

#include "libu/unlearn/objectives.h"
#include "unlearn/fixture.h"

using namespace libu;
using namespace libu::unlearn;
using namespace libu::unlearn::testing;

// UNDIAL (Dong et al. 2024): −Σ_v q_v log p_θ,v with q = softmax(z_ref − β·onehot(y)), meaned
// over the loss positions; retain rows get gd's retain NLL.
TEST(Undial, LossMatchesHandComputationAndGradientFiniteDifferences) {
  auto m = tiny_with_adapter();
  auto ex = rows(2, 7, 21);
  ex[1].ids.resize(5), ex[1].loss.resize(5);  // ragged rows: padding must not be scored
  ex[0].loss[0] = ex[0].loss[1] = 0;          // a prompt without loss positions
  auto b = make_batch(ex, {0, 1}, 1, m->device());
  ObjectiveParams p;
  p.undial_beta = 3.0;
  double hand = 0, n = 0;
  {
    torch::NoGradGuard ng;
    auto z = m->forward(b.input_ids, b.attention_mask).to(torch::kDouble);  // [2, T, V]
    m->set_lora_enabled(false);
    auto zr = m->forward(b.input_ids, b.attention_mask).to(torch::kDouble);
    m->set_lora_enabled(true);
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t t = 0; t + 1 < z.size(1); ++t) {
        const int64_t y = b.labels[r][t + 1].item<int64_t>();
        if (y < 0) continue;
        auto adj = zr[r][t].clone();
        adj[y] -= 3.0;
        auto q = torch::softmax(adj, 0), lp = torch::log_softmax(z[r][t], 0);
        hand -= (q * lp).sum().item<double>();
        n += 1;
      }
  }
  ASSERT_EQ(n, 5 + 4);  // row 0: labels 2..6 (0 and 1 are the prompt); row 1: labels 1..4
  hand /= n;
  auto t = objective_loss(Objective::UNDIAL, *m, b, true, p);
  EXPECT_NEAR(t.loss.item<double>(), hand, 1e-4);
  EXPECT_NEAR(t.logs.at("undial_f").item<double>(), hand, 1e-4);
  // Retain rows: gd's retain term.
  EXPECT_NEAR(objective_loss(Objective::UNDIAL, *m, b, false, p).loss.item<double>(),
              objective_loss(Objective::GD, *m, b, false, p).loss.item<double>(), 1e-9);
  EXPECT_TRUE(uses_retain(Objective::UNDIAL));
  EXPECT_EQ(parse_objective("undial"), Objective::UNDIAL);
  // Gradient: autograd against finite differences along a random direction of the LoRA params.
  expect_gradient_matches_fd(m->lora()->parameters(), [&] { return objective_loss(Objective::UNDIAL, *m, b, true, p).loss; },
                             5, 1.0);
}

// RMU (Li et al. 2024): the layer output is the residual stream the full forward continues from
// (OLMo's final norm is a plain LayerNorm, eps 1e-5), and the loss is the masked mean squared
// distance to c·u (forget) or to the adapter-off activations (retain), checked by hand.
TEST(Rmu, LossMatchesHandComputationAndGradientFiniteDifferences) {
  auto m = tiny_with_adapter();
  auto ex = rows(2, 7, 22);
  ex[1].ids.resize(4), ex[1].loss.resize(4);  // ragged rows: padding must not count
  auto b = make_batch(ex, {0, 1}, 1, m->device());
  const int64_t L = m->config().num_layers, D = m->config().hidden_size;
  {
    torch::NoGradGuard ng;
    auto last = m->layer_output(b.input_ids, b.attention_mask, L - 1);  // [2, T, D]
    auto full = m->hidden_states(b.input_ids, b.attention_mask);
    EXPECT_TRUE(torch::allclose(torch::layer_norm(last, {D}, {}, {}, 1e-5), full, 1e-5, 1e-5));
  }
  EXPECT_THROW(m->layer_output(b.input_ids, b.attention_mask, L), Error);
  ObjectiveParams p;
  p.rmu_layer = 0;
  p.rmu_steering = 5.0;
  p.retain_weight = 3.0;
  p.rmu_seed = 7;
  auto u = rmu_direction(D, 7);
  EXPECT_NEAR(u.norm().item<double>(), 1.0, 1e-6);
  EXPECT_TRUE(u.ge(0).all().item<bool>());
  EXPECT_TRUE(torch::equal(u, rmu_direction(D, 7)));
  EXPECT_FALSE(torch::equal(u, rmu_direction(D, 8)));
  double hf = 0, hr = 0, n = 0;
  {
    torch::NoGradGuard ng;
    auto h = m->layer_output(b.input_ids, b.attention_mask, 0).to(torch::kDouble);
    m->set_lora_enabled(false);
    auto h0 = m->layer_output(b.input_ids, b.attention_mask, 0).to(torch::kDouble);
    m->set_lora_enabled(true);
    auto target = 5.0 * u.to(torch::kDouble);
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t t = 0; t < int64_t(ex[size_t(r)].ids.size()); ++t) {
        hf += (h[r][t] - target).pow(2).mean().item<double>();
        hr += (h[r][t] - h0[r][t]).pow(2).mean().item<double>();
        n += 1;
      }
  }
  ASSERT_EQ(n, 7 + 4);
  auto f = objective_loss(Objective::RMU, *m, b, true, p);
  EXPECT_NEAR(f.loss.item<double>(), hf / n, 1e-5 * std::max(1.0, hf / n));
  EXPECT_NEAR(f.logs.at("rmu_f").item<double>(), hf / n, 1e-5 * std::max(1.0, hf / n));
  auto r = objective_loss(Objective::RMU, *m, b, false, p);
  EXPECT_GT(hr, 0);  // the fixture adapter moves layer 0
  EXPECT_NEAR(r.loss.item<double>(), 3.0 * hr / n, 1e-5 * std::max(1.0, hr / n));
  EXPECT_EQ(rmu_layer(ObjectiveParams{}, 32), 7);  // the paper's layer 7 of 32
  EXPECT_EQ(parse_objective("rmu"), Objective::RMU);
  // Only the LoRA modules at or below the steered layer get a gradient.
  std::vector<torch::Tensor> below, above;
  for (auto& [name, prm] : m->lora()->named_parameters())
    (name.find(".layers.0.") != std::string::npos ? below : above).push_back(prm);
  ASSERT_FALSE(below.empty());
  ASSERT_FALSE(above.empty());
  auto g = torch::autograd::grad({objective_loss(Objective::RMU, *m, b, true, p).loss}, above, {}, false, false, true);
  for (auto& x : g) EXPECT_TRUE(!x.defined() || x.abs().max().item<double>() == 0);
  for (bool forget : {true, false})
    expect_gradient_matches_fd(below, [&] { return objective_loss(Objective::RMU, *m, b, forget, p).loss; }, 9, 1.0);
}

namespace {
// Summed log-prob of ids[p..] given ids[..p) under the model, in double: the hand side of IdkDPO.
double seq_logprob(model::CausalLM& m, const std::vector<int64_t>& ids, size_t p) {
  torch::NoGradGuard ng;
  auto t = torch::tensor(ids).unsqueeze(0);                              // [1, n]
  auto lp = torch::log_softmax(m.forward(t).to(torch::kDouble)[0], -1);  // [n, V]
  double s = 0;
  for (size_t i = std::max<size_t>(p, 1); i < ids.size(); ++i) s += lp[int64_t(i) - 1][ids[i]].item<double>();
  return s;
}
}  // namespace

// IdkDPO (TOFU / OpenUnlearning): −(2/β)·log σ(β·[(lp_θ(y_w) − lp_ref(y_w)) − (lp_θ(y_l) − lp_ref(y_l))])
// with y_w the refusal after the row's prompt, y_l the forget answer; by hand per row.
TEST(IdkDpo, LossMatchesHandComputationAndGradientFiniteDifferences) {
  auto m = tiny_with_adapter();
  auto ex = rows(2, 7, 23);
  ex[0].loss[0] = ex[0].loss[1] = ex[0].loss[2] = 0;  // prompt of 3 tokens
  ex[1].ids.resize(5), ex[1].loss.resize(5);
  ex[1].loss[0] = 0;                                  // prompt of 1 token, ragged
  auto b = make_batch(ex, {0, 1}, 1, m->device());
  ObjectiveParams p;
  p.dpo_beta = 0.5;
  p.idk_answers = {{11, 12, 13}, {21, 22}, {31, 32, 33, 34}};
  auto w = idk_batch(b, p.idk_answers);
  ASSERT_EQ(w.input_ids.size(0), 2);
  double hand = 0;
  const size_t prompt[2] = {3, 1};
  for (int64_t r = 0; r < 2; ++r) {
    const auto& e = ex[size_t(r)];
    const size_t P = prompt[r];
    // The preferred row: the prompt, then one of the refusals, labels on the refusal only.
    const int64_t len = w.attention_mask[r].sum().item<int64_t>();
    std::vector<int64_t> yw(w.input_ids[r].data_ptr<int64_t>(), w.input_ids[r].data_ptr<int64_t>() + len);
    ASSERT_TRUE(std::equal(e.ids.begin(), e.ids.begin() + long(P), yw.begin())) << r;
    std::vector<int64_t> ans(yw.begin() + long(P), yw.end());
    EXPECT_NE(std::find(p.idk_answers.begin(), p.idk_answers.end(), ans), p.idk_answers.end()) << r;
    EXPECT_EQ(w.labels[r][int64_t(P) - 1].item<int64_t>(), -100);
    EXPECT_EQ(w.labels[r][int64_t(P)].item<int64_t>(), ans[0]);
    double pw = seq_logprob(*m, yw, P), pl = seq_logprob(*m, e.ids, P);
    m->set_lora_enabled(false);
    double rw = seq_logprob(*m, yw, P), rl = seq_logprob(*m, e.ids, P);
    m->set_lora_enabled(true);
    const double z = 0.5 * ((pw - rw) - (pl - rl));
    hand += -(2.0 / 0.5) * -std::log1p(std::exp(-z)) / 2.0;  // −(2/β)·log σ(z), mean over 2 rows
  }
  auto t = objective_loss(Objective::IdkDPO, *m, b, true, p);
  EXPECT_NEAR(t.loss.item<double>(), hand, 1e-4);
  EXPECT_NEAR(t.logs.at("idkdpo_f").item<double>(), hand, 1e-4);
  EXPECT_TRUE(torch::equal(idk_batch(b, p.idk_answers).input_ids, w.input_ids));  // the same refusal every time
  EXPECT_EQ(parse_objective("idkdpo"), Objective::IdkDPO);
  EXPECT_EQ(default_idk_answers().size(), 8u);
  expect_gradient_matches_fd(m->lora()->parameters(), [&] { return objective_loss(Objective::IdkDPO, *m, b, true, p).loss; },
                             6, 1.0);
}
