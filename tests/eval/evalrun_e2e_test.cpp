// End-to-end `eval run` on a tiny model with a real tokenizer and 20 SemEval rows (10 per
// split): every file is written, metrics.json holds exactly what `libu eval score` computes
// on the written predictions, and rows.csv/rows.jsonl carry one scored row per input row.
#include <fstream>

#include <gtest/gtest.h>

#include "evalrun_fixture.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/eval/eval_run.h"
#include "libu/io/csv.h"
#include "libu/io/jsonl.h"

using namespace libu;
using namespace libu::eval;

namespace {

std::string semeval(const std::string& f) { return test::shared_path("data/semeval25/" + f); }

std::string small_mia_dir() {
  std::string d = test::temp_dir("evalrun_e2e_mia");
  for (std::string label : {"member", "nonmember"}) {
    auto rows = io::read_jsonl(semeval("mia/" + label + ".jsonl"));
    std::vector<nlohmann::json> out;
    for (size_t i = 0; i < 4; ++i) out.push_back(rows.at(i));
    io::write_jsonl(d + "/" + label + ".jsonl", out);
  }
  return d;
}

EvalRunOptions base_options(const std::string& out) {
  EvalRunOptions o;
  o.model_dir = test::tiny_model_dir();
  o.forget = semeval("forget_train-00000-of-00001.parquet");
  o.retain = semeval("retain_train-00000-of-00001.parquet");
  o.out_dir = out;
  o.dtype = "fp32";
  o.limit = 10;
  o.generation.max_new_tokens = 6;
  o.generation.batch_size = 5;
  o.options_json = {{"test", "e2e"}};
  return o;
}

}  // namespace

TEST(EvalRunE2E, WritesAllFilesAndMetricsEqualEvalScore) {
  std::string out = test::temp_dir("evalrun_e2e") + "/out";
  EvalRunOptions o = base_options(out);
  o.mia_dir = small_mia_dir();
  o.mia.max_length = 64;
  o.mmlu_dir = test::shared_path("data/mmlu");
  o.mmlu.shots = 0;
  o.mmlu.subjects = {"anatomy"};
  o.mmlu.limit = 4;
  auto r = eval_run(o);

  for (const char* f : {"forget.jsonl", "retain.jsonl", "mia.jsonl", "metrics.json", "rows.jsonl", "rows.csv",
                        "run.json"})
    EXPECT_TRUE(path_exists(out + "/" + f)) << f;
  auto forget = io::read_jsonl(out + "/forget.jsonl");
  auto retain = io::read_jsonl(out + "/retain.jsonl");
  ASSERT_EQ(forget.size(), 10u);
  ASSERT_EQ(retain.size(), 10u);
  for (auto& row : forget)
    for (const char* k : {"id", "task", "output", "generation"}) EXPECT_TRUE(row.at(k).is_string()) << k;
  EXPECT_EQ(io::read_jsonl(out + "/mia.jsonl").size(), 8u);

  // metrics.json == `libu eval score --predictions out --mmlu-acc <acc>` (same code path),
  // apart from the extra sections eval run adds.
  auto metrics = nlohmann::json::parse(read_file(out + "/metrics.json"));
  ASSERT_TRUE(r.mmlu.has_value());
  auto score = semeval_to_json(score_predictions_dir(out, r.mmlu->accuracy));
  for (auto& [k, v] : score.items()) EXPECT_EQ(metrics.at(k), v) << "field " << k;
  for (auto& [k, v] : metrics.items())
    if (!score.contains(k))
      EXPECT_TRUE(k == "mia_attacks" || k == "mmlu" || k == "memorisation" || k == "generation" || k == "options")
          << "extra field " << k;
  for (const char* k : {"aggregated-terms", "harmonic-mean-task-aggregate", "mia_loss_acc", "mia_final_score",
                        "mmlu_average", "aggregate-score"})
    EXPECT_TRUE(metrics.contains(k)) << k;
  EXPECT_FALSE(metrics["aggregate-score"].is_null());
  EXPECT_EQ(metrics["mmlu"]["questions"], 4);
  EXPECT_EQ(metrics["options"]["test"], "e2e");
  for (const char* sp : {"forget", "retain"}) {  // rows whose prompt fills --mia-max-length 64 have no answer left
    const auto& mem = metrics["memorisation"][sp];
    EXPECT_EQ(mem["rows"].get<int>() + mem["skipped"].get<int>(), 10) << sp;
    EXPECT_GT(mem["rows"].get<int>(), 0) << sp;
  }
  EXPECT_DOUBLE_EQ(metrics["mia_attacks"]["auc"]["loss"].get<double>(), *r.score.mia_auc);

  // Per-row scores: 20 rows, the fields a user needs to find leaking forget rows.
  auto rows = io::read_jsonl(out + "/rows.jsonl");
  ASSERT_EQ(rows.size(), 20u);
  for (const char* k : {"split", "id", "task", "type", "score", "input", "output", "generation"})
    EXPECT_TRUE(rows[0].contains(k)) << k;
  EXPECT_EQ(rows[0]["split"], "forget");
  EXPECT_EQ(rows[19]["split"], "retain");
  auto csv = io::read_csv(out + "/rows.csv");
  ASSERT_EQ(csv.size(), 21u);
  EXPECT_EQ(csv[0], (io::CsvRow{"split", "id", "task", "type", "score", "input", "output", "generation"}));
  for (size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(csv[i + 1][1], rows[i]["id"].get<std::string>());
    EXPECT_EQ(csv[i + 1][5], rows[i]["input"].get<std::string>());
    EXPECT_EQ(csv[i + 1][7], rows[i]["generation"].get<std::string>());
    EXPECT_DOUBLE_EQ(std::stod(csv[i + 1][4]), rows[i]["score"].get<double>());
  }
  // --limit keeps both SC and QA rows of every task present (the scorer needs both).
  for (auto& t : r.score.forget.tasks) {
    EXPECT_GT(t.sc_rows, 0u) << t.task;
    EXPECT_GT(t.qa_rows, 0u) << t.task;
  }
}

TEST(EvalRunE2E, StaleMiaFileIsRemovedWithoutMia) {
  std::string out = test::temp_dir("evalrun_e2e_stale") + "/out";
  make_dirs(out);
  write_file_atomic(out + "/mia.jsonl", "{\"id\":\"x\",\"label\":\"member\",\"loss\":1.0}\n");
  EvalRunOptions o = base_options(out);
  o.limit = 6;
  o.generation.max_new_tokens = 2;
  auto r = eval_run(o);
  EXPECT_FALSE(path_exists(out + "/mia.jsonl"));
  EXPECT_FALSE(r.score.mia_auc.has_value());
  auto metrics = nlohmann::json::parse(read_file(out + "/metrics.json"));
  EXPECT_TRUE(metrics["aggregate-score"].is_null());
}

TEST(EvalRunE2E, LimitSpreadsOverTaskAndTypeGroups) {
  std::vector<io::Record> recs;
  for (int i = 0; i < 6; ++i) recs.push_back({"a_sc" + std::to_string(i), "in", "out", "Task1", "forget"});
  for (int i = 0; i < 6; ++i) recs.push_back({"b_qa" + std::to_string(i), "in", "out", "Task1", "forget"});
  recs.push_back({"c_sc0", "in", "out", "Task2", "forget"});
  recs.push_back({"c_qa0", "in", "out", "Task2", "forget"});
  auto got = limit_records(recs, 4);
  ASSERT_EQ(got.size(), 4u);
  std::vector<std::string> ids;
  for (auto& r : got) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"a_sc0", "b_qa0", "c_sc0", "c_qa0"}));
  EXPECT_EQ(limit_records(recs, 0).size(), recs.size());
}

TEST(EvalRunE2E, BadRecordsFailBeforeGeneration) {
  std::vector<io::Record> bad_task = {{"x_sc1", "in", "out", "Task9", "forget"}};
  try {
    check_records(bad_task, "forget.jsonl");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("Task9"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("forget.jsonl"), std::string::npos) << e.message();
  }
  std::vector<io::Record> bad_id = {{"no-suffix1", "in", "out", "Task1", "forget"}};
  try {
    check_records(bad_id, "forget.jsonl");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("no-suffix1"), std::string::npos) << e.message();
  }
  EXPECT_THROW(check_records({}, "forget.jsonl"), Error);
}
