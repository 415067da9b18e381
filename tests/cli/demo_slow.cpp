// The embedded demo end to end at three seeds (slow label; issue #10). For each seed the demo
// generates its own people (reported, validation, holdout, MIA non-members), memorises them,
// and unlearns with `--preset libu` selecting only on validation rows. Asserted per seed:
// MIA score >= 0.5 (kMinMia), task aggregate >= 0.55, retain knowledge >= 0.8 x before. At seed 0 it
// also checks that libu-seed (the published code) does not forget, and that phase 1 alone
// (--epochs 0) raises the forget NLL towards the holdout level within the retain bound. Every
// seed checks that the relearning attack tells the demo's hide-only control from its
// never-trained control (issue #11).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "common/shared.h"
#include "libu/cli/options.h"
#include "libu/core/fs.h"

using namespace libu;

namespace {
// Mean knowledge (QA exact match) of a split from an eval metrics.json, from the term list.
double knowledge(const nlohmann::json& m, const std::string& split) {
  double s = 0;
  int n = 0;
  auto labels = m["aggregated-terms-labels"];
  for (size_t i = 0; i < labels.size(); ++i) {
    std::string l = labels[i];
    if (l.rfind(split + "/", 0) == 0 && l.find("knowledge") != std::string::npos) {
      double v = m["aggregated-terms"][i];
      s += split == "forget" ? 1.0 - v : v;  // forget terms are inverted
      ++n;
    }
  }
  return n ? s / n : -1;
}
nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(read_file(path)); }

int invoke(const std::string& name, const std::vector<std::string>& args) {
  const cli::Command* c = cli::find_command(name);
  if (!c) return -1;
  auto o = cli::Options::parse(c->options, args, c->positionals);
  cli::apply_common(o);
  return c->run(o);
}
}  // namespace

// Phase 1 alone closes 4-7 % of the forget-to-holdout gap on the demo's memorised models
// (measured at seeds 0 and 1; docs/unlearning.md "Phase 1"): the test asserts 3 %.
constexpr double kPhase1MinGap = 0.03;

// Robustness (issue #11, docs/robustness.md "The separation test"): the relearning attack
// separates hiding from removal. The hide-only refusal adapter passes the greedy forget
// metrics on the biographies (Task2 forget knowledge <= kRefuseMaxKnowledge: every bio
// answer refused; the stories of Task1 name people by first name only, which forget and
// retain people share, so no adapter can refuse exactly those) but comes back under
// relearning (recovery >= 0.5); the never-trained model (memorised without the forget people)
// does not (|recovery| <= 0.2: it can only learn formats from the attack documents, not the
// probes' facts). Both controls are attacked with the same split, seed and budget.
constexpr double kRefuseMaxKnowledge = 0.1, kHiddenMinRecovery = 0.5, kNeverTrainedMaxRecovery = 0.2;

// The official forget knowledge of one task (1 − its inverted aggregated term).
double task_knowledge(const nlohmann::json& m, const std::string& label) {
  auto labels = m["aggregated-terms-labels"];
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] == label) return 1.0 - m["aggregated-terms"][i].get<double>();
  return -1;
}

void CheckAttacksSeparateHidingFromRemoval(const std::string& out, int seed) {
  auto refuse = read_json(out + "/control-refuse/eval/metrics.json");
  double k2 = task_knowledge(refuse, "forget/Task2/knowledge-score");
  EXPECT_GE(k2, 0.0);
  EXPECT_LE(k2, kRefuseMaxKnowledge) << "seed " << seed << ": the refusal must hide the bio answers";
  auto att = read_json(out + "/control-refuse/eval/attacks.json")["relearn"]["recovery"];
  ASSERT_TRUE(att["model"]["headline"].is_number()) << att.dump();
  ASSERT_TRUE(att["baseline"]["headline"].is_number()) << att.dump();
  EXPECT_GE(att["model"]["headline"].get<double>(), kHiddenMinRecovery) << "seed " << seed << ": hidden knowledge recovers";
  EXPECT_LE(std::abs(att["baseline"]["headline"].get<double>()), kNeverTrainedMaxRecovery)
      << "seed " << seed << ": a never-trained model has nothing to recover";
  for (const char* f : {"attacks.json", "relearn_rows.jsonl", "quantize_rows.jsonl"})
    EXPECT_TRUE(std::filesystem::exists(out + "/unlearn-libu/eval/" + f)) << f;
}

// The MIA score of libu per seed. Measured at the commit that set this floor (docs/unlearning.md
// "The demo across seeds"): seeds 0, 1, 2 give 0.708, 0.626, 0.724, and one commit gave seed 1
// 0.524 on this machine and above 0.6 on a CI machine (the run is chaotic at the last bit). The
// floor is 0.5: a libu that leaves the forget rows looking memorised scores 0 here (libu-seed
// does), so the test still fails for a method that does not forget.
constexpr double kMinMia = 0.5;

class DemoSeed : public ::testing::TestWithParam<int> {};

TEST_P(DemoSeed, LibuForgetsLikeNeverSeenAndKeepsRetain) {
  int seed = GetParam();
  std::string out = test::temp_dir("demo-seed" + std::to_string(seed));
  std::string methods = seed == 0 ? "libu,libu-seed" : "libu";
  ASSERT_EQ(invoke("demo", {"--out", out, "--seed", std::to_string(seed), "--methods", methods}), 0);
  EXPECT_TRUE(std::filesystem::exists(out + "/report.html"));
  auto before = read_json(out + "/eval-before/metrics.json"), libu = read_json(out + "/unlearn-libu/eval/metrics.json");
  double f0 = knowledge(before, "forget"), r0 = knowledge(before, "retain");
  ASSERT_GT(f0, 0.8) << "the demo model must have memorised the forget answers";
  EXPECT_GE(libu["mia_final_score"].get<double>(), kMinMia) << "seed " << seed;
  EXPECT_GE(libu["harmonic-mean-task-aggregate"].get<double>(), 0.55) << "seed " << seed;
  EXPECT_GE(knowledge(libu, "retain"), 0.8 * r0) << "seed " << seed;
  auto run = read_json(out + "/unlearn-libu/run.json");
  EXPECT_EQ(run["objective"], "calibrated");
  EXPECT_EQ(run["best_rule"], "calibrated");
  CheckAttacksSeparateHidingFromRemoval(out, seed);
  if (seed != 0) return;
  auto published = read_json(out + "/unlearn-libu-seed/eval/metrics.json");
  EXPECT_GE(knowledge(published, "forget"), 0.9 * f0) << "libu-seed fine-tunes towards the forget set";
  // Phase 1 only, on the memorised model.
  std::string d = out + "/data", p1 = out + "/phase1-only";
  ASSERT_EQ(invoke("unlearn", {"--model", out + "/memorised/model", "--forget", d + "/unlearn_forget.jsonl", "--retain",
                               d + "/unlearn_retain.jsonl", "--val-forget", d + "/val_forget.jsonl", "--val-retain",
                               d + "/val_retain.jsonl", "--holdout", d + "/holdout.jsonl", "--add-eos", "--dtype", "fp32",
                               "--epochs", "0", "--no-merge", "--out", p1}),
            0);
  auto ph = read_json(p1 + "/run.json")["phase1"];
  double f_0 = ph["forget_loss_before"], f_1 = ph["forget_loss_after"], tau = ph["tau"];
  double r_0 = ph["retain_loss_before"], r_1 = ph["retain_loss_after"];
  EXPECT_GE((f_1 - f_0) / (tau - f_0), kPhase1MinGap) << "phase 1 must close part of the gap to the holdout level";
  EXPECT_LE(r_1 - r_0, 0.5 * 0.25 + 1e-9) << "phase 1 must keep the retain NLL within half the tolerance";
}

INSTANTIATE_TEST_SUITE_P(Seeds, DemoSeed, ::testing::Values(0, 1, 2));
