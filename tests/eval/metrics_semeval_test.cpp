// The official SemEval-2025 Task 4 aggregation against
// ../shared/data/metrics/semeval_aggregate_golden.json (pandas / statistics / sklearn).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/shared.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/auc.h"
#include "libu/eval/semeval_score.h"

using namespace libu;
using nlohmann::json;

namespace {

json load_semeval_golden() {
  return json::parse(read_file(test::shared_path("data/metrics/semeval_aggregate_golden.json")));
}

std::vector<eval::PredictionRow> rows_of(const json& split) {
  std::vector<eval::PredictionRow> out;
  for (const json& r : split)
    out.push_back({r["id"].get<std::string>(), r["task"].get<std::string>(),
                   r["ground_truth"].get<std::string>(), r["generation"].get<std::string>(), ""});
  return out;
}

eval::MiaLosses mia_of(const json& c) {
  return {c["mia"]["member_loss"].get<std::vector<double>>(),
          c["mia"]["nonmember_loss"].get<std::vector<double>>()};
}

#define EXPECT_CLOSE(got, want, what) \
  EXPECT_NEAR(got, want, 1e-9) << what << ": expected " << (want) << ", got " << (got)

}  // namespace

TEST(MetricsSemeval, GoldenCasesEveryNumber) {
  json g = load_semeval_golden();
  ASSERT_EQ(g["cases"].size(), 3u);
  const auto term_order = g["term_order"].get<std::vector<std::string>>();
  for (const json& c : g["cases"]) {
    const std::string name = c["name"].get<std::string>();
    SCOPED_TRACE(name);
    const json& e = c["expected"];
    auto r = eval::semeval_score(rows_of(c["forget"]), rows_of(c["retain"]), mia_of(c),
                                 c["mmlu_average"].get<double>());
    // per row
    for (const eval::SplitScore* s : {&r.forget, &r.retain}) {
      const json& rows = c[s->split];
      ASSERT_EQ(rows.size(), s->rows.size());
      for (size_t i = 0; i < rows.size(); ++i) {
        const json& want = rows[i];
        const auto& got = s->rows[i];
        EXPECT_EQ(got.scored_generation, want["generation_after_csv_roundtrip"].get<std::string>());
        const bool sc = got.type == eval::RowType::SentenceCompletion;
        const json& w = sc ? want["regurgitation_score"] : want["knowledge_score"];
        ASSERT_FALSE(w.is_null()) << s->split << " row " << i << " typed wrongly";
        EXPECT_CLOSE(got.score, w.get<double>(), s->split + " row " + std::to_string(i));
      }
      // per task means
      ASSERT_EQ(s->tasks.size(), 3u);
      for (const eval::TaskMeans& m : s->tasks) {
        const json& w = e["per_task"][s->split][m.task];
        EXPECT_CLOSE(m.regurgitation, w["regurgitation-score"].get<double>(), s->split + "/" + m.task);
        EXPECT_CLOSE(m.knowledge, w["knowledge-score"].get<double>(), s->split + "/" + m.task);
      }
      EXPECT_CLOSE(s->overall_regurgitation,
                   e["overall"][s->split]["overall-regurgitation-score"].get<double>(), "overall");
      EXPECT_CLOSE(s->overall_knowledge,
                   e["overall"][s->split]["overall-knowledge-score"].get<double>(), "overall");
    }
    // the 12 terms, in the golden's term_order
    EXPECT_EQ(r.terms.labels, term_order);
    auto want_terms = e["aggregated_terms"].get<std::vector<double>>();
    ASSERT_EQ(r.terms.values.size(), 12u);
    for (size_t i = 0; i < 12; ++i) EXPECT_CLOSE(r.terms.values[i], want_terms[i], term_order[i]);
    EXPECT_CLOSE(r.task_aggregate, e["harmonic_mean_task_aggregate"].get<double>(), "task aggregate");
    EXPECT_CLOSE(*r.mia_auc, e["mia_loss_acc"].get<double>(), "AUC");
    EXPECT_CLOSE(*r.mia_score, e["mia_final_score"].get<double>(), "MIA score");
    EXPECT_CLOSE(*r.final_score, e["aggregate_score"].get<double>(), "final");
    // Stricter: the README's 1e-12 and, for AUC, sklearn's exact bits.
    EXPECT_NEAR(r.task_aggregate, e["harmonic_mean_task_aggregate"].get<double>(), 1e-12);
    EXPECT_NEAR(*r.final_score, e["aggregate_score"].get<double>(), 1e-12);
    EXPECT_EQ(*r.mia_auc, e["mia_loss_acc"].get<double>());
    // Bit-exact terms (pandas' Kahan group mean reproduced) and aggregates (Python's exact
    // statistics rounding reproduced).
    for (size_t i = 0; i < 12; ++i) EXPECT_EQ(r.terms.values[i], want_terms[i]) << term_order[i];
    EXPECT_EQ(r.task_aggregate, e["harmonic_mean_task_aggregate"].get<double>());
    EXPECT_EQ(*r.final_score, e["aggregate_score"].get<double>());
    for (const eval::SplitScore* s : {&r.forget, &r.retain}) {
      EXPECT_EQ(s->overall_regurgitation, e["overall"][s->split]["overall-regurgitation-score"].get<double>());
      EXPECT_EQ(s->overall_knowledge, e["overall"][s->split]["overall-knowledge-score"].get<double>());
    }
    EXPECT_EQ(*r.mia_score, e["mia_final_score"].get<double>());
    // JSON output carries the official names.
    json j = eval::semeval_to_json(r);
    for (const char* k : {"aggregated-terms", "harmonic-mean-task-aggregate", "mia_loss_acc",
                          "mia_final_score", "mmlu_average", "aggregate-score"})
      EXPECT_TRUE(j.contains(k)) << k;
    EXPECT_EQ(j["aggregate-score"].get<double>(), *r.final_score);
    // The CSV round trip changes no score here (README): check it stays so without it.
    auto raw = eval::semeval_score(rows_of(c["forget"]), rows_of(c["retain"]), mia_of(c),
                                   c["mmlu_average"].get<double>(), eval::ScoreOptions{false});
    EXPECT_EQ(raw.task_aggregate, r.task_aggregate);
  }
}

TEST(MetricsSemeval, ZeroTermGivesZeroHarmonicMean) {
  json g = load_semeval_golden();
  const json& c = g["cases"][2];
  auto r = eval::semeval_score(rows_of(c["forget"]), rows_of(c["retain"]), mia_of(c),
                               c["mmlu_average"].get<double>());
  EXPECT_EQ(r.terms.values[0], 0.0);
  EXPECT_EQ(r.task_aggregate, 0.0);
}

// Deliberately broken input: a forget row's generation changed → the aggregate moves.
TEST(MetricsSemeval, GoldenCanFail) {
  json g = load_semeval_golden();
  const json& c = g["cases"][0];
  auto forget = rows_of(c["forget"]);
  forget[0].generation = "something else entirely";
  auto r = eval::semeval_score(forget, rows_of(c["retain"]), mia_of(c), c["mmlu_average"].get<double>());
  EXPECT_GT(std::fabs(r.task_aggregate - c["expected"]["harmonic_mean_task_aggregate"].get<double>()), 1e-6);
}

TEST(MetricsSemeval, PythonMeans) {
  EXPECT_EQ(eval::python_harmonic_mean({1.0, 0.0, 0.5}), 0.0);
  EXPECT_DOUBLE_EQ(eval::python_harmonic_mean({1.0, 0.5}), 2.0 / 3.0);
  EXPECT_EQ(eval::python_mean({0.1, 0.2, 0.3}), 0.2);  // exact sum 0.6000000000000000055.../3
  EXPECT_EQ(eval::python_fsum({0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}), 1.0);
  EXPECT_EQ(eval::python_fsum({1e100, 1.0, -1e100, 1e-100}), 1.0);
  EXPECT_THROW(eval::python_harmonic_mean({-1.0, 1.0}), Error);
}

TEST(MetricsSemeval, RowTyping) {
  EXPECT_EQ(eval::row_type("\"abc\"sc1"), eval::RowType::SentenceCompletion);
  EXPECT_EQ(eval::row_type("abcqa4"), eval::RowType::QuestionAnswer);
  try {
    eval::row_type("\"abc\"xy1");
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"abc\"xy1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(eval::row_type("sc"), Error);
}

TEST(MetricsSemeval, CsvRoundTripQuirk) {
  EXPECT_EQ(eval::official_csv_roundtrip(""), "nan");
  EXPECT_EQ(eval::official_csv_roundtrip("NA"), "nan");
  EXPECT_EQ(eval::official_csv_roundtrip("null"), "nan");
  EXPECT_EQ(eval::official_csv_roundtrip("None"), "None");  // pandas 1.5
  EXPECT_EQ(eval::official_csv_roundtrip(" NA"), " NA");
  EXPECT_EQ(eval::official_csv_roundtrip("text\n"), "text\n");
}

// ------------------------------------------------------------------ AUC with ties

TEST(MetricsAuc, HandMadeTiesTrapezoid) {
  // members (positive) scores −loss: −1, −2, −2, −3; non-members: −2, −4.
  // ROC: (0,0) (0,.25) (.5,.75) (.5,1) (1,1); the tie at −2 is one diagonal step.
  // Trapezoid: .5·(.25+.75)/2 + .5·(1+1)/2 = 0.75 = Mann-Whitney with ties counting 1/2.
  eval::MiaLosses m{{1, 2, 2, 3}, {2, 4}};
  EXPECT_EQ(eval::mia_loss_auc(m), 0.75);
  EXPECT_EQ(libu::mia_score(0.75), 0.5);
  auto c = libu::roc_curve({1, 1, 1, 1, 0, 0}, {-1, -2, -2, -3, -2, -4});
  EXPECT_EQ(c.fpr, (std::vector<double>{0, 0, 0.5, 0.5, 1}));
  EXPECT_EQ(c.tpr, (std::vector<double>{0, 0.25, 0.75, 1, 1}));
  // All tied: one diagonal, 0.5.
  EXPECT_EQ(libu::roc_auc({1, 0, 1, 0}, {3, 3, 3, 3}), 0.5);
  // Perfect and inverted.
  EXPECT_EQ(libu::roc_auc({1, 1, 0, 0}, {4, 3, 2, 1}), 1.0);
  EXPECT_EQ(libu::roc_auc({1, 1, 0, 0}, {1, 2, 3, 4}), 0.0);
  // drop_intermediate removes collinear points (sklearn: the middle of the horizontal run
  // (0,1) → (.5,1) → (1,1) goes; (0,.5) stays because sklearn tests only the point's
  // neighbours after the leading (0,0) is prepended).
  auto d = libu::roc_curve({1, 1, 0, 0}, {4, 3, 2, 1});
  EXPECT_EQ(d.fpr, (std::vector<double>{0, 0, 0, 1}));
  EXPECT_EQ(d.tpr, (std::vector<double>{0, 0.5, 1, 1}));
  auto nd = libu::roc_curve({1, 1, 0, 0}, {4, 3, 2, 1}, false);
  EXPECT_EQ(nd.fpr, (std::vector<double>{0, 0, 0, 0.5, 1}));
  EXPECT_THROW(libu::roc_auc({1, 1}, {1, 2}), Error);
}

TEST(MetricsAuc, NumpyPairwiseSumOrder) {
  std::vector<double> v(300);
  for (size_t i = 0; i < v.size(); ++i) v[i] = 1.0 / double(i + 1);
  double s = libu::numpy_pairwise_sum(v.data(), v.size());
  EXPECT_NEAR(s, 6.282663880299504, 1e-12);
}

// ------------------------------------------------------------------ bad input

namespace {
std::string write_dir(const std::string& name, const std::string& forget, const std::string& retain) {
  std::string d = test::temp_dir(name);
  write_file_atomic(d + "/forget.jsonl", forget);
  write_file_atomic(d + "/retain.jsonl", retain);
  return d;
}
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}
const std::string kGood =
    R"({"id": "\"a\"sc1", "task": "Task1", "output": "the cat sat", "generation": "the cat"})"
    "\n"
    R"({"id": "\"a\"qa0", "task": "Task1", "output": "Paris", "generation": "paris"})"
    "\n";
}  // namespace

TEST(MetricsSemevalBadInput, MissingFieldNamesFileLineField) {
  std::string d = write_dir("ms_missing", kGood + R"({"id": "\"b\"sc1", "task": "Task1", "output": "x"})" "\n", kGood);
  std::string msg = error_of([&] { eval::score_predictions_dir(d, std::nullopt); });
  EXPECT_NE(msg.find("forget.jsonl:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'generation'"), std::string::npos) << msg;
}

TEST(MetricsSemevalBadInput, UnknownTask) {
  std::string d = write_dir("ms_task", kGood,
                            R"({"id": "\"a\"sc1", "task": "Task9", "output": "x", "generation": "y"})" "\n");
  std::string msg = error_of([&] { eval::score_predictions_dir(d, std::nullopt); });
  EXPECT_NE(msg.find("unknown task 'Task9'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("retain.jsonl:1"), std::string::npos) << msg;
}

TEST(MetricsSemevalBadInput, IdWithoutSuffixReportsId) {
  std::string d = write_dir("ms_id", kGood + R"({"id": "row-17", "task": "Task1", "output": "x", "generation": "y"})" "\n", kGood);
  std::string msg = error_of([&] { eval::score_predictions_dir(d, std::nullopt); });
  EXPECT_NE(msg.find("'row-17'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("sc/qa"), std::string::npos) << msg;
}

TEST(MetricsSemevalBadInput, EmptySplit) {
  std::string d = write_dir("ms_empty", "\n", kGood);
  std::string msg = error_of([&] { eval::score_predictions_dir(d, std::nullopt); });
  EXPECT_NE(msg.find("forget split has no rows"), std::string::npos) << msg;
}

TEST(MetricsSemevalBadInput, OtherProblems) {
  // a task with SC rows but no QA rows
  std::string d1 = write_dir("ms_noqa", kGood + R"({"id": "\"b\"sc1", "task": "Task2", "output": "x", "generation": "y"})" "\n", kGood);
  EXPECT_NE(error_of([&] { eval::score_predictions_dir(d1, std::nullopt); }).find("Task2 rows but no QA"),
            std::string::npos);
  // wrong type, bad JSON, bad MIA label, missing file
  std::string d2 = write_dir("ms_type", kGood + R"({"id": 5, "task": "Task1", "output": "x", "generation": "y"})" "\n", kGood);
  EXPECT_NE(error_of([&] { eval::score_predictions_dir(d2, std::nullopt); }).find("field 'id' must be a string"),
            std::string::npos);
  std::string d3 = write_dir("ms_json", kGood + "{not json\n", kGood);
  EXPECT_NE(error_of([&] { eval::score_predictions_dir(d3, std::nullopt); }).find("forget.jsonl:3: not valid JSON"),
            std::string::npos);
  std::string d4 = write_dir("ms_mia", kGood, kGood);
  write_file_atomic(d4 + "/mia.jsonl", R"({"id": "m1", "label": "in", "loss": 1.5})" "\n");
  EXPECT_NE(error_of([&] { eval::score_predictions_dir(d4, std::nullopt); }).find("mia.jsonl:1: field 'label'"),
            std::string::npos);
  write_file_atomic(d4 + "/mia.jsonl", R"({"id": "m1", "label": "member", "loss": 1.5})" "\n");
  EXPECT_NE(error_of([&] { eval::score_predictions_dir(d4, std::nullopt); }).find("both classes"),
            std::string::npos);
  EXPECT_NE(error_of([&] { eval::score_predictions_dir(d4 + "/nope", std::nullopt); }).find("not a folder"),
            std::string::npos);
}

TEST(MetricsSemevalBadInput, GoodDirScores) {
  std::string d = write_dir("ms_good", kGood, kGood);
  write_file_atomic(d + "/mia.jsonl",
                    R"({"id": "m1", "label": "member", "loss": 1.0})" "\n"
                    R"({"id": "n1", "label": "nonmember", "loss": 2.0})" "\n");
  auto r = eval::score_predictions_dir(d, 0.5);
  // forget: reg 2/3 → 1/3, know 1 → 0 ⇒ a zero term ⇒ harmonic mean 0.
  EXPECT_EQ(r.task_aggregate, 0.0);
  EXPECT_EQ(*r.mia_auc, 1.0);
  EXPECT_EQ(*r.mia_score, 0.0);
  EXPECT_EQ(*r.final_score, 0.5 / 3);
}
