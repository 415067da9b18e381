// `libu eval score`: end to end on golden case 1 through the registered command.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/shared.h"
#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"

using namespace libu;
using nlohmann::json;

TEST(CliEvalScore, GoldenCaseWritesOfficialFields) {
  json g = json::parse(read_file(test::shared_path("data/metrics/semeval_aggregate_golden.json")));
  const json& c = g["cases"][0];
  std::string d = test::temp_dir("cli_eval_score");
  for (const char* split : {"forget", "retain"}) {
    std::string lines;
    for (const json& r : c[split])
      lines += json{{"id", r["id"]}, {"task", r["task"]}, {"output", r["ground_truth"]},
                    {"generation", r["generation"]}}.dump() + "\n";
    write_file_atomic(d + "/" + split + ".jsonl", lines);
  }
  std::string mia;
  for (double l : c["mia"]["member_loss"]) mia += json{{"id", "m"}, {"label", "member"}, {"loss", l}}.dump() + "\n";
  for (double l : c["mia"]["nonmember_loss"]) mia += json{{"id", "n"}, {"label", "nonmember"}, {"loss", l}}.dump() + "\n";
  write_file_atomic(d + "/mia.jsonl", mia);

  const cli::Command* cmd = cli::find_command("eval score");
  ASSERT_NE(cmd, nullptr);
  auto opts = cli::Options::parse(cmd->options, {"--predictions", d, "--mmlu-acc", "0.4468", "--out",
                                                 d + "/metrics.json", "--quiet"});
  cli::apply_common(opts);
  ASSERT_EQ(cmd->run(opts), 0);
  json m = json::parse(read_file(d + "/metrics.json"));
  const json& e = c["expected"];
  EXPECT_EQ(m["aggregated-terms"].get<std::vector<double>>(), e["aggregated_terms"].get<std::vector<double>>());
  EXPECT_EQ(m["harmonic-mean-task-aggregate"].get<double>(), e["harmonic_mean_task_aggregate"].get<double>());
  EXPECT_EQ(m["mia_loss_acc"].get<double>(), e["mia_loss_acc"].get<double>());
  EXPECT_EQ(m["mia_final_score"].get<double>(), e["mia_final_score"].get<double>());
  EXPECT_EQ(m["mmlu_average"].get<double>(), 0.4468);
  EXPECT_EQ(m["aggregate-score"].get<double>(), e["aggregate_score"].get<double>());
  EXPECT_EQ(m["forget"]["Task2"]["knowledge-score"].get<double>(),
            e["per_task"]["forget"]["Task2"]["knowledge-score"].get<double>());

  // No --mmlu-acc: aggregate-score is null, the rest is still written.
  auto o2 = cli::Options::parse(cmd->options, {"--predictions", d, "--out", d + "/m2.json", "--quiet"});
  ASSERT_EQ(cmd->run(o2), 0);
  EXPECT_TRUE(json::parse(read_file(d + "/m2.json"))["aggregate-score"].is_null());
  // Bad input surfaces as libu::Error (main.cpp prints it and exits 1).
  auto o3 = cli::Options::parse(cmd->options, {"--predictions", d + "/none", "--out", d + "/m3.json"});
  EXPECT_THROW(cmd->run(o3), Error);
  EXPECT_FALSE(path_exists(d + "/m3.json"));
}
