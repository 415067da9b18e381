// libu/eval/semeval_score.h — the official SemEval-2025 Task 4 scorer (organisers'
// evaluate_generations.py; docs/eval.md) without a model: row typing, per-split/per-task
// means, forget inversion, the 12 aggregated terms, their harmonic mean, MIA AUC and
// mia_final_score, and the final score. Python's statistics.mean/harmonic_mean rounding is
// reproduced (exact sums, one rounding). No torch.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace libu::eval {

enum class RowType { SentenceCompletion, QuestionAnswer };
// SC if id[:-1] ends with "sc", QA if it ends with "qa"; otherwise raises Error naming the id.
RowType row_type(std::string_view id);
// The task names the scorer accepts, in the official (sorted) order: Task1, Task2, Task3.
const std::vector<std::string>& semeval_tasks();

struct PredictionRow {
  std::string id, task, output, generation;
  std::string where;  // "forget.jsonl:12" for messages; may be empty
};

struct ScoreOptions {
  // Reproduce the official pipeline's pandas CSV round trip of generations (an empty
  // generation, or one that is exactly a pandas NA string such as "NA" or "null", is scored
  // as the string "nan"). See docs/eval.md.
  bool csv_roundtrip = true;
};
// What the official script scores for a generation after its CSV write/read (pandas 1.5
// default na_values; str(NaN) == "nan").
std::string official_csv_roundtrip(std::string_view generation);

struct ScoredRow {
  PredictionRow row;
  RowType type = RowType::SentenceCompletion;
  std::string scored_generation;  // after the CSV round trip when enabled
  double score = 0;               // SC: rougeL recall (regurgitation); QA: 0/1 (knowledge)
};
struct TaskMeans {
  std::string task;
  double regurgitation = 0, knowledge = 0;  // means over SC rows / QA rows (not inverted)
  size_t sc_rows = 0, qa_rows = 0;
};
struct SplitScore {
  std::string split;
  std::vector<ScoredRow> rows;
  std::vector<TaskMeans> tasks;  // tasks present, sorted by name
  double overall_regurgitation = 0, overall_knowledge = 0;  // informative only
};
// Scores one split. Raises Error on an empty split, an unknown task, an id without an
// sc/qa suffix, or a task without SC rows or without QA rows (its mean would be NaN).
SplitScore score_split(const std::string& split, const std::vector<PredictionRow>& rows,
                       const ScoreOptions& opts = {});

struct AggregateTerms {
  std::vector<std::string> labels;  // "forget/Task1/regurgitation-score", ...
  std::vector<double> values;       // forget terms inverted (1 − mean)
};
// Forget tasks then retain tasks, each task regurgitation then knowledge.
AggregateTerms aggregated_terms(const SplitScore& forget, const SplitScore& retain);

// Python math.fsum: the correctly rounded sum.
double python_fsum(const std::vector<double>& xs);
// pandas' mean of an object-dtype score column (floats + None): the plain sum in row order,
// divided once by the count. Used for the per-task and overall means.
double pandas_object_mean(const std::vector<double>& xs);
// statistics.mean: the exact sum divided by n, rounded once.
double python_mean(const std::vector<double>& xs);
// statistics.harmonic_mean: n / Σ fl(1/x) with an exact sum, rounded once; 0 if any x is 0;
// raises Error on a negative value or an empty list.
double python_harmonic_mean(const std::vector<double>& xs);

struct MiaLosses {
  std::vector<double> member, nonmember;  // per-document mean token NLL
};
// sklearn AUC with scores = −loss and member = positive.
double mia_loss_auc(const MiaLosses& mia);
// The official mia_final_score is libu::mia_score (core/auc.h).

struct SemevalResult {
  SplitScore forget, retain;
  AggregateTerms terms;
  double task_aggregate = 0;  // harmonic-mean-task-aggregate
  std::optional<double> mia_auc, mia_score, mmlu, final_score;
  size_t mia_members = 0, mia_nonmembers = 0;
  ScoreOptions options;
};
// final_score is set only when both MIA and MMLU are given.
SemevalResult semeval_score(const std::vector<PredictionRow>& forget,
                            const std::vector<PredictionRow>& retain,
                            const std::optional<MiaLosses>& mia, std::optional<double> mmlu,
                            const ScoreOptions& opts = {});

// The official field names (aggregated-terms, harmonic-mean-task-aggregate, mia_loss_acc,
// mia_final_score, mmlu_average, aggregate-score) plus per-split/per-task detail.
nlohmann::json semeval_to_json(const SemevalResult& r);
// Per-row scores, one JSON object per row (split, id, task, type, score, generation).
nlohmann::json semeval_rows_json(const SemevalResult& r);

// Readers for `libu eval score --predictions DIR`. Rows {id, task, output, generation}
// (all strings); MIA rows {id, label: "member"|"nonmember", loss: number}. Errors name the
// file, the line and the field.
std::vector<PredictionRow> read_predictions_jsonl(const std::string& path);
MiaLosses read_mia_jsonl(const std::string& path);
// DIR/forget.jsonl, DIR/retain.jsonl and, when present, DIR/mia.jsonl.
SemevalResult score_predictions_dir(const std::string& dir, std::optional<double> mmlu,
                                    const ScoreOptions& opts = {});

}  // namespace libu::eval
