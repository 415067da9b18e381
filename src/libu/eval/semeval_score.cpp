// libu/eval/semeval_score.cpp — see semeval_score.h.
#include "libu/eval/semeval_score.h"

#include "libu/io/semeval_id.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/auc.h"
#include "libu/eval/exact_match.h"
#include "libu/eval/rouge.h"

namespace libu::eval {

using nlohmann::json;

// ---------------------------------------------------------------- row typing, tasks

RowType row_type(std::string_view id) {
  const std::string_view kind = io::semeval_kind(id);  // id[:-1] ends in sc or qa
  if (kind == "sc") return RowType::SentenceCompletion;
  if (kind == "qa") return RowType::QuestionAnswer;
  fail(cat("row id '", id, "' has no sc/qa suffix: the official scorer types a row by id[:-1] ",
           "ending in \"sc\" (sentence completion) or \"qa\" (question answering)"),
       "keep the SemEval ids unchanged, e.g. '...sc1' or '...qa0'");
}

const std::vector<std::string>& semeval_tasks() {
  static const std::vector<std::string> k = {"Task1", "Task2", "Task3"};
  return k;
}

std::string official_csv_roundtrip(std::string_view g) {
  // pandas 1.5 read_csv default na_values (pandas ≥ 2.0 adds "None").
  static const char* kNa[] = {"",     "#N/A", "#N/A N/A", "#NA",  "-1.#IND", "-1.#QNAN", "-NaN",
                              "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",     "NA",       "NULL",
                              "NaN",  "n/a",  "nan",      "null"};
  for (const char* na : kNa)
    if (g == na) return "nan";
  return std::string(g);
}

// ---------------------------------------------------------------- Python arithmetic

double python_fsum(const std::vector<double>& xs) {
  // Shewchuk's non-overlapping partials, then Python's correctly rounded final sum.
  std::vector<double> p;
  for (double x : xs) {
    LIBU_CHECK(std::isfinite(x), "sum of a non-finite value (", x, ")");
    size_t i = 0;
    for (double y : p) {
      if (std::fabs(x) < std::fabs(y)) std::swap(x, y);
      double hi = x + y;
      double lo = y - (hi - x);
      if (lo != 0.0) p[i++] = lo;
      x = hi;
    }
    p.resize(i);
    p.push_back(x);
  }
  if (p.empty()) return 0.0;
  size_t n = p.size();
  double hi = p[--n], lo = 0.0;
  while (n > 0) {
    double x = hi, y = p[--n];
    hi = x + y;
    double yr = hi - x;
    lo = y - yr;
    if (lo != 0.0) break;
  }
  // Half-way case: round towards the sign of the remaining partials.
  if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
    double y = lo * 2, x = hi + y, yr = x - hi;
    if (y == yr) hi = x;
  }
  return hi;
}

double pandas_object_mean(const std::vector<double>& xs) {
  // The score columns hold None for the other row type, so pandas keeps them as object
  // dtype and falls back to summing the Python floats one by one, in row order, then
  // divides once. (float64's Kahan group_mean would differ in the last ulp; the goldens
  // show the plain sum.)
  LIBU_CHECK(!xs.empty(), "mean of an empty group");
  double sum = 0;
  for (double v : xs) sum += v;
  return sum / double(xs.size());
}

namespace {
// The exact sum as hi + lo (hi correctly rounded, lo the correctly rounded remainder).
void exact_sum(std::vector<double> xs, double& hi, double& lo) {
  hi = python_fsum(xs);
  xs.push_back(-hi);
  lo = python_fsum(xs);
}
}  // namespace

double python_mean(const std::vector<double>& xs) {
  LIBU_CHECK(!xs.empty(), "mean of an empty list");
  double hi, lo;
  exact_sum(xs, hi, lo);
  const double n = double(xs.size());
  double q = hi / n;
  double r = std::fma(-q, n, hi) + lo;  // remainder of the exact sum
  return q + r / n;
}

double python_harmonic_mean(const std::vector<double>& xs) {
  LIBU_CHECK(!xs.empty(), "harmonic mean of an empty list");
  for (double x : xs) LIBU_CHECK(x >= 0, "harmonic mean of a negative value (", x, ")");
  if (xs.size() == 1) return xs[0];
  std::vector<double> inv;
  for (double x : xs) {
    if (x == 0) return 0.0;  // Python: ZeroDivisionError → 0
    inv.push_back(1.0 / x);
  }
  double hi, lo;
  exact_sum(inv, hi, lo);
  const double n = double(xs.size());
  double q = n / hi;
  double r = std::fma(-q, hi, n) - q * lo;  // n − q·(hi + lo)
  return q + r / hi;
}

// ---------------------------------------------------------------- scoring

SplitScore score_split(const std::string& split, const std::vector<PredictionRow>& rows,
                       const ScoreOptions& opts) {
  if (rows.empty())
    fail(cat("the ", split, " split has no rows"),
         cat("give ", split, ".jsonl with one {id, task, output, generation} row per line"));
  SplitScore s;
  s.split = split;
  std::map<std::string, std::vector<double>> reg, know;
  std::vector<double> all_reg, all_know;
  const auto& tasks = semeval_tasks();
  for (const PredictionRow& r : rows) {
    const std::string at = r.where.empty() ? cat(split, " row '", r.id, "'") : r.where;
    if (std::find(tasks.begin(), tasks.end(), r.task) == tasks.end())
      fail(cat(at, ": unknown task '", r.task, "'"), "tasks are Task1, Task2 and Task3");
    ScoredRow sr;
    sr.row = r;
    try {
      sr.type = row_type(r.id);
    } catch (const Error& e) {
      throw e.with_context(at);
    }
    sr.scored_generation = opts.csv_roundtrip ? official_csv_roundtrip(r.generation) : r.generation;
    if (sr.type == RowType::SentenceCompletion) {
      sr.score = rouge_l_recall(r.output, sr.scored_generation);
      reg[r.task].push_back(sr.score);
      all_reg.push_back(sr.score);
    } else {
      sr.score = knowledge_score(r.output, sr.scored_generation);
      know[r.task].push_back(sr.score);
      all_know.push_back(sr.score);
    }
    s.rows.push_back(std::move(sr));
  }
  for (const std::string& t : tasks) {
    if (!reg.count(t) && !know.count(t)) continue;
    if (!reg.count(t) || !know.count(t))
      fail(cat("the ", split, " split has ", t, " rows but no ",
               reg.count(t) ? "QA (id ending qa<N>)" : "SC (id ending sc<N>)",
               " rows: its mean would be NaN and the official aggregate undefined"),
           "score complete splits: every task needs sentence-completion and QA rows");
    TaskMeans m;
    m.task = t;
    m.sc_rows = reg[t].size();
    m.qa_rows = know[t].size();
    m.regurgitation = pandas_object_mean(reg[t]);
    m.knowledge = pandas_object_mean(know[t]);
    s.tasks.push_back(m);
  }
  // The script's overall-* values: Series.mean() over the whole split (same object path).
  s.overall_regurgitation = all_reg.empty() ? 0 : pandas_object_mean(all_reg);
  s.overall_knowledge = all_know.empty() ? 0 : pandas_object_mean(all_know);
  return s;
}

AggregateTerms aggregated_terms(const SplitScore& forget, const SplitScore& retain) {
  AggregateTerms a;
  for (const SplitScore* s : {&forget, &retain}) {
    const bool inv = s == &forget;
    for (const TaskMeans& m : s->tasks) {
      a.labels.push_back(cat(s->split, "/", m.task, "/regurgitation-score"));
      a.values.push_back(inv ? 1 - m.regurgitation : m.regurgitation);
      a.labels.push_back(cat(s->split, "/", m.task, "/knowledge-score"));
      a.values.push_back(inv ? 1 - m.knowledge : m.knowledge);
    }
  }
  return a;
}

double mia_loss_auc(const MiaLosses& mia) {
  std::vector<int> labels;
  std::vector<double> scores;
  for (double l : mia.member) labels.push_back(1), scores.push_back(-l);
  for (double l : mia.nonmember) labels.push_back(0), scores.push_back(-l);
  return roc_auc(labels, scores);
}


SemevalResult semeval_score(const std::vector<PredictionRow>& forget,
                            const std::vector<PredictionRow>& retain,
                            const std::optional<MiaLosses>& mia, std::optional<double> mmlu,
                            const ScoreOptions& opts) {
  SemevalResult r;
  r.options = opts;
  r.forget = score_split("forget", forget, opts);
  r.retain = score_split("retain", retain, opts);
  r.terms = aggregated_terms(r.forget, r.retain);
  r.task_aggregate = python_harmonic_mean(r.terms.values);
  if (mia) {
    r.mia_members = mia->member.size();
    r.mia_nonmembers = mia->nonmember.size();
    r.mia_auc = mia_loss_auc(*mia);
    r.mia_score = mia_score(*r.mia_auc);
  }
  if (mmlu) {
    LIBU_CHECK(*mmlu >= 0 && *mmlu <= 1, "MMLU accuracy must be in [0, 1], got ", *mmlu);
    r.mmlu = mmlu;
  }
  if (r.mia_score && r.mmlu) r.final_score = python_mean({r.task_aggregate, *r.mmlu, *r.mia_score});
  return r;
}

// ---------------------------------------------------------------- JSON

static json opt_json(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json semeval_to_json(const SemevalResult& r) {
  json j;
  for (const SplitScore* s : {&r.forget, &r.retain}) {
    json sj = json::object();
    for (const TaskMeans& m : s->tasks)
      sj[m.task] = {{"regurgitation-score", m.regurgitation},
                    {"knowledge-score", m.knowledge},
                    {"sc-rows", m.sc_rows},
                    {"qa-rows", m.qa_rows}};
    sj["overall-regurgitation-score"] = s->overall_regurgitation;
    sj["overall-knowledge-score"] = s->overall_knowledge;
    sj["rows"] = s->rows.size();
    j[s->split] = sj;
  }
  j["aggregated-terms"] = r.terms.values;
  j["aggregated-terms-labels"] = r.terms.labels;
  j["harmonic-mean-task-aggregate"] = r.task_aggregate;
  j["mia_loss_acc"] = opt_json(r.mia_auc);
  j["mia_final_score"] = opt_json(r.mia_score);
  j["mia_members"] = r.mia_members;
  j["mia_nonmembers"] = r.mia_nonmembers;
  j["mmlu_average"] = opt_json(r.mmlu);
  j["aggregate-score"] = opt_json(r.final_score);
  j["scorer"] = {{"csv_roundtrip", r.options.csv_roundtrip},
                 {"definition", "SemEval-2025 Task 4 evaluate_generations.py (docs/eval.md)"}};
  return j;
}

json semeval_rows_json(const SemevalResult& r) {
  json rows = json::array();
  for (const SplitScore* s : {&r.forget, &r.retain})
    for (const ScoredRow& sr : s->rows) {
      const bool sc = sr.type == RowType::SentenceCompletion;
      rows.push_back({{"split", s->split},
                      {"id", sr.row.id},
                      {"task", sr.row.task},
                      {"type", sc ? "sc" : "qa"},
                      {sc ? "regurgitation-score" : "knowledge-score", sr.score},
                      {"output", sr.row.output},
                      {"generation", sr.scored_generation}});
    }
  return rows;
}

// ---------------------------------------------------------------- readers

namespace {

std::string base_name(const std::string& path) {
  auto p = path.find_last_of('/');
  return p == std::string::npos ? path : path.substr(p + 1);
}

// Calls fn(object, "file:line") for every non-blank line.
template <typename Fn>
void for_each_jsonl(const std::string& path, Fn fn) {
  const std::string text = read_file(path);
  const std::string name = base_name(path);
  size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const std::string where = cat(name, ":", line_no);
    json obj;
    try {
      obj = json::parse(line);
    } catch (const json::exception& e) {
      fail(cat(path, ":", line_no, ": not valid JSON (", e.what(), ")"),
           "each line must be one JSON object");
    }
    if (!obj.is_object()) fail(cat(path, ":", line_no, ": expected a JSON object, got ", obj.type_name()));
    fn(obj, where, cat(path, ":", line_no));
  }
}

std::string string_field(const json& o, const char* field, const std::string& at) {
  auto it = o.find(field);
  if (it == o.end())
    fail(cat(at, ": missing field '", field, "'"),
         "prediction rows are {\"id\", \"task\", \"output\", \"generation\"}; MIA rows are "
         "{\"id\", \"label\", \"loss\"}");
  if (!it->is_string())
    fail(cat(at, ": field '", field, "' must be a string, got ", it->type_name()));
  return it->get<std::string>();
}

}  // namespace

std::vector<PredictionRow> read_predictions_jsonl(const std::string& path) {
  std::vector<PredictionRow> rows;
  for_each_jsonl(path, [&](const json& o, const std::string& where, const std::string& at) {
    PredictionRow r;
    r.id = string_field(o, "id", at);
    r.task = string_field(o, "task", at);
    r.output = string_field(o, "output", at);
    r.generation = string_field(o, "generation", at);
    r.where = where;
    rows.push_back(std::move(r));
  });
  return rows;
}

MiaLosses read_mia_jsonl(const std::string& path) {
  MiaLosses m;
  for_each_jsonl(path, [&](const json& o, const std::string&, const std::string& at) {
    string_field(o, "id", at);
    const std::string label = string_field(o, "label", at);
    auto it = o.find("loss");
    if (it == o.end()) fail(cat(at, ": missing field 'loss'"), "MIA rows are {\"id\", \"label\", \"loss\"}");
    if (!it->is_number()) fail(cat(at, ": field 'loss' must be a number, got ", it->type_name()));
    const double loss = it->get<double>();
    if (!std::isfinite(loss)) fail(cat(at, ": field 'loss' is not finite (", loss, ")"));
    if (label == "member") {
      m.member.push_back(loss);
    } else if (label == "nonmember") {
      m.nonmember.push_back(loss);
    } else {
      fail(cat(at, ": field 'label' is '", label, "'"), "use \"member\" or \"nonmember\"");
    }
  });
  return m;
}

SemevalResult score_predictions_dir(const std::string& dir, std::optional<double> mmlu,
                                    const ScoreOptions& opts) {
  if (!is_directory(dir))
    fail(cat("--predictions ", dir, ": not a folder"),
         "give the folder holding forget.jsonl and retain.jsonl");
  for (const char* f : {"forget.jsonl", "retain.jsonl"})
    if (!path_exists(dir + "/" + f))
      fail(cat(dir, ": missing ", f), "the predictions folder needs forget.jsonl and retain.jsonl");
  auto forget = read_predictions_jsonl(dir + "/forget.jsonl");
  auto retain = read_predictions_jsonl(dir + "/retain.jsonl");
  std::optional<MiaLosses> mia;
  if (path_exists(dir + "/mia.jsonl")) mia = read_mia_jsonl(dir + "/mia.jsonl");
  return semeval_score(forget, retain, mia, mmlu, opts);
}

}  // namespace libu::eval
