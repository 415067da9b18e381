// `libu unlearn` with --holdout end to end on a tiny random OLMo (real tokenizer from
// ../shared): the calibration block, phase-1 search trials and validation lines in run.json /
// metrics.jsonl, --auto's trial record, and the bad-input errors of issue #10.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/tiny_world.h"
#include "common/shared.h"
#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/data/synth.h"
#include "libu/io/jsonl.h"
#include "libu/io/records.h"

using namespace libu;
using nlohmann::json;

namespace {

int run(const std::string& name, std::vector<std::string> args) { return test::run_command(name, std::move(args)); }

// A tiny random model and synthetic people with every role, built once per test binary.
using CalibWorld = test::TinyWorld;
const CalibWorld& calib_world() { return test::tiny_world_once("unlearn-calib"); }

std::vector<std::string> base_args(const std::string& out) {
  const CalibWorld& w = calib_world();
  return {"--model", w.model, "--forget", w.data + "/forget.jsonl", "--retain", w.data + "/retain.jsonl",
          "--out", out, "--no-merge", "--dtype", "fp32", "--batch-size", "4", "--epochs", "1"};
}

std::vector<json> validation_lines(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto j = json::parse(line);
    if (j.contains("validation")) out.push_back(j["validation"]);
  }
  return out;
}

std::string calibration_error_of(const std::string& name, const std::vector<std::string>& args) {
  try {
    run(name, args);
  } catch (const libu::Error& e) {
    return std::string(e.what()) + " | " + e.hint();
  }
  return "";
}

}  // namespace

TEST(CliUnlearnCalibration, LibuPresetWithHoldoutCalibrates) {
  const CalibWorld& w = calib_world();
  std::string out = test::temp_dir("calib-run");
  auto a = base_args(out);
  a.insert(a.end(), {"--holdout", w.data + "/holdout.jsonl", "--val-forget", w.data + "/val_forget.jsonl",
                     "--val-retain", w.data + "/val_retain.jsonl", "--eval-every", "1"});
  ASSERT_EQ(run("unlearn", a), 0);
  json r = json::parse(read_file(out + "/run.json"));
  EXPECT_EQ(r["objective"], "calibrated");
  EXPECT_EQ(r["best_rule"], "calibrated");
  ASSERT_TRUE(r["calibration"]["tau"].is_number());
  EXPECT_TRUE(r["phase1"]["lr_auto"].get<bool>());
  EXPECT_FALSE(r["phase1"]["trials"].empty());
  auto vals = validation_lines(out + "/metrics.jsonl");
  ASSERT_GE(vals.size(), 2u);
  for (auto& v : vals) {
    EXPECT_TRUE(v["auc"].is_number()) << v.dump();
    EXPECT_TRUE(v["holdout_nll"].is_number()) << v.dump();
    EXPECT_TRUE(v["val_retain_nll"].is_number()) << v.dump();
  }
  EXPECT_TRUE(std::filesystem::exists(out + "/adapter/adapter_model.safetensors"));
}

TEST(CliUnlearnCalibration, AutoRecordsEveryTrialAndKeepsTheWinner) {
  const CalibWorld& w = calib_world();
  std::string out = test::temp_dir("calib-auto");
  auto a = base_args(out);
  a.insert(a.end(), {"--method", "gd", "--best", "calibrated", "--holdout", w.data + "/holdout.jsonl",
                     "--val-forget", w.data + "/val_forget.jsonl", "--auto", "--auto-trials", "2", "--lr", "1e-3"});
  ASSERT_EQ(run("unlearn", a), 0);
  json r = json::parse(read_file(out + "/run.json"));
  ASSERT_EQ(r["auto"]["trials"].size(), 2u);
  double win = r["auto"]["winner_lr"];
  bool found = false;
  for (auto& t : r["auto"]["trials"]) found |= t["lr"].get<double>() == win;
  EXPECT_TRUE(found);
  EXPECT_TRUE(std::filesystem::exists(out + "/best/adapter/adapter_model.safetensors"));
}

// Under --time-budget a first trial whose plan holds more steps than the budget does not
// spend the whole budget: every rate gets its slice (it used to leave the others at 0 steps).
TEST(CliUnlearnCalibration, AutoSplitsTheTimeBudgetBetweenRates) {
  const CalibWorld& w = calib_world();
  std::string out = test::temp_dir("calib-auto-budget");
  auto a = base_args(out);
  a.insert(a.end(), {"--method", "gd", "--best", "calibrated", "--holdout", w.data + "/holdout.jsonl",
                     "--val-forget", w.data + "/val_forget.jsonl", "--auto", "--auto-trials", "2", "--lr", "1e-3",
                     "--time-budget", "3"});
  *(std::find(a.begin(), a.end(), "--epochs") + 1) = "4000";  // a plan far longer than 3 s
  ASSERT_EQ(run("unlearn", a), 0);
  json r = json::parse(read_file(out + "/run.json"));
  ASSERT_EQ(r["auto"]["trials"].size(), 2u);
  for (auto& t : r["auto"]["trials"]) EXPECT_GE(t["steps"].get<int64_t>(), 1) << r["auto"].dump();
  EXPECT_LT(r["auto"]["total_steps"].get<int64_t>(), 4000) << "the budget should shrink the search";
}

TEST(CliUnlearnCalibration, BadHoldoutAndMissingFlagGiveClearErrors) {
  const CalibWorld& w = calib_world();
  std::string dir = test::temp_dir("calib-bad");
  std::ofstream(dir + "/empty.jsonl") << "";
  auto a = base_args(dir + "/out1");
  a.insert(a.end(), {"--holdout", dir + "/empty.jsonl"});
  std::string e = calibration_error_of("unlearn", a);
  EXPECT_NE(e.find("empty.jsonl"), std::string::npos) << e;
  EXPECT_NE(e.find("no rows"), std::string::npos) << e;
  a = base_args(dir + "/out2");
  a.insert(a.end(), {"--best", "calibrated"});
  e = calibration_error_of("unlearn", a);
  EXPECT_NE(e.find("--best calibrated"), std::string::npos) << e;
  EXPECT_NE(e.find("--holdout"), std::string::npos) << e;
  a = base_args(dir + "/out3");
  a.insert(a.end(), {"--phase1-lr", "fast"});
  e = calibration_error_of("unlearn", a);
  EXPECT_NE(e.find("--phase1-lr"), std::string::npos) << e;
  a = base_args(dir + "/out4");
  a.insert(a.end(), {"--calib-token-beta", "2"});
  e = calibration_error_of("unlearn", a);
  EXPECT_NE(e.find("--calib-shape npo-token"), std::string::npos) << e;
  a = base_args(dir + "/out4b");
  a.insert(a.end(), {"--holdout", w.data + "/holdout.jsonl", "--calib-shape", "npo-token", "--calib-token-beta", "0"});
  e = calibration_error_of("unlearn", a);
  EXPECT_NE(e.find("--calib-token-beta 0 must be > 0"), std::string::npos) << e;
  a = base_args(dir + "/out4c");
  a.insert(a.end(), {"--method", "gd", "--calib-weight", "tokens"});
  e = calibration_error_of("unlearn", a);
  EXPECT_NE(e.find("--calib-weight tokens has no effect without the calibrated objective"), std::string::npos) << e;
  a = base_args(dir + "/out5");
  a.insert(a.end(), {"--holdout", w.data + "/holdout.jsonl", "--mia-kinds", "story"});
  e = calibration_error_of("unlearn", a);
  EXPECT_NE(e.find("--mia-kinds names no kind"), std::string::npos) << e;
  (void)w;
}

// With --general the libu preset runs phase 2 with AdamW at 3e-4 and 2 retain micro-batches per
// forget one (docs/unlearning.md "Real text under the utility guard"), every validation
// logs the never-seen NLL and its rise, and run.json records the guard. A holdout of whole
// documents against sc/qa forget rows is a calibration warning in run.json (issue #22).
TEST(CliUnlearnCalibration, GeneralGuardAndDocumentHoldoutWarning) {
  const CalibWorld& w = calib_world();
  std::string dir = test::temp_dir("calib-general");
  std::vector<json> docs;
  for (auto& r : io::load_records(w.data + "/holdout.jsonl")) docs.push_back({{"document", r.input + r.output}});
  io::write_jsonl(dir + "/holdout_docs.jsonl", docs);
  std::string out = dir + "/run";
  auto a = base_args(out);
  a.insert(a.end(), {"--holdout", dir + "/holdout_docs.jsonl", "--general", w.data + "/holdout.jsonl",
                     "--val-forget", w.data + "/val_forget.jsonl", "--val-retain", w.data + "/val_retain.jsonl",
                     "--eval-every", "1"});
  ASSERT_EQ(run("unlearn", a), 0);
  json r = json::parse(read_file(out + "/run.json"));
  EXPECT_EQ(r["options"]["optimizer"], "adamw");
  EXPECT_DOUBLE_EQ(r["options"]["lr"].get<double>(), 1e-3);
  EXPECT_DOUBLE_EQ(r["options"]["retain-ratio"].get<double>(), 2.0);
  EXPECT_EQ(r["options"]["calib-shape"], "npo") << "the guarded preset pushes with NPO gated at tau";
  EXPECT_TRUE(r["options"]["anchor"].is_null()) << "the anchor is a flag of its own, not the preset's";
  ASSERT_TRUE(r["calibration"]["utility_guard"]["base_nll"].is_number());
  EXPECT_GT(r["calibration"]["utility_guard"]["general_rows"].get<int64_t>(), 0);
  bool kind_warning = false;
  for (auto& x : r["calibration"]["warnings"]) kind_warning |= x.get<std::string>().find("no rows of the forget set's kind") != std::string::npos;
  EXPECT_TRUE(kind_warning) << r["calibration"].dump();
  auto vals = validation_lines(out + "/metrics.jsonl");
  ASSERT_GE(vals.size(), 2u);
  EXPECT_DOUBLE_EQ(vals[0]["utility_rise"].get<double>(), 0.0);
  for (auto& v : vals) EXPECT_TRUE(v["general_nll"].is_number()) << v.dump();
  // The per-kind levels: every kind of the validation forget rows has its mean NLL.
  for (auto& [kind, auc] : vals[0]["auc_by_kind"].items())
    if (kind != "*") EXPECT_TRUE(vals[0]["val_forget_nll_by_kind"][kind].is_number()) << vals[0].dump();
  EXPECT_FALSE(vals[0]["val_forget_nll_by_kind"].empty()) << vals[0].dump();
  EXPECT_TRUE(r["stopped_by_utility"].is_boolean());
  // With an anchor of general text the guarded preset pushes with the gated hinge, weighs rows
  // by tokens and drops SAM.
  auto an = base_args(dir + "/anchored");
  an.insert(an.end(), {"--holdout", w.data + "/holdout.jsonl", "--general", w.data + "/holdout.jsonl", "--anchor",
                       w.data + "/holdout.jsonl", "--max-steps", "2"});
  ASSERT_EQ(run("unlearn", an), 0);
  json ra = json::parse(read_file(dir + "/anchored/run.json"));
  EXPECT_EQ(ra["options"]["calib-shape"], "hinge");
  EXPECT_DOUBLE_EQ(ra["options"]["sam-rho"].get<double>(), 0.0);
  EXPECT_EQ(ra["calibration"]["calib_shape"], "hinge");
  EXPECT_EQ(ra["options"]["calib-weight"], "tokens");
  EXPECT_EQ(ra["calibration"]["calib_weight"], "tokens");
  EXPECT_EQ(r["calibration"]["calib_weight"], "kind");  // without the anchor: kind-balanced, as before
}
