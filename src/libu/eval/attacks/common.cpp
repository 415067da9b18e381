// libu/eval/attacks/common.cpp — see common.h.
#include "libu/eval/attacks/common.h"

#include "libu/core/error.h"
#include "libu/eval/exact_match.h"
#include "libu/eval/rouge.h"

namespace libu::eval::attacks {

using nlohmann::json;

double official_row_score(const io::Record& r, const std::string& generation) {
  const std::string g = official_csv_roundtrip(generation);
  return row_type(r.id) == RowType::SentenceCompletion ? rouge_l_recall(r.output, g) : knowledge_score(r.output, g);
}

double KindMeans::score() const {
  const bool k = std::isfinite(knowledge), g = std::isfinite(regurgitation);
  if (k && g) return (knowledge + regurgitation) / 2;
  return k ? knowledge : g ? regurgitation : NAN;
}

json num_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json KindMeans::to_json() const {
  return {{"knowledge", num_or_null(knowledge)}, {"regurgitation", num_or_null(regurgitation)},
          {"score", num_or_null(score())},       {"qa_rows", qa},
          {"sc_rows", sc}};
}

KindMeans kind_means(const std::vector<io::Record>& rows, const std::vector<double>& scores) {
  if (rows.size() != scores.size()) fail_internal(cat("kind_means: ", rows.size(), " rows, ", scores.size(), " scores"));
  KindMeans m;
  double k = 0, g = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (row_type(rows[i].id) == RowType::SentenceCompletion) g += scores[i], ++m.sc;
    else k += scores[i], ++m.qa;
  }
  if (m.qa) m.knowledge = k / double(m.qa);
  if (m.sc) m.regurgitation = g / double(m.sc);
  return m;
}

json ModelMetrics::to_json() const {
  return {{"forget_regurgitation", score.forget.overall_regurgitation},
          {"forget_knowledge", score.forget.overall_knowledge},
          {"retain_regurgitation", score.retain.overall_regurgitation},
          {"retain_knowledge", score.retain.overall_knowledge},
          {"task_aggregate", score.task_aggregate},
          {"mia_auc", score.mia_auc ? json(*score.mia_auc) : json(nullptr)},
          {"mia_score", score.mia_score ? json(*score.mia_score) : json(nullptr)}};
}

ModelMetrics official_metrics(model::CausalLM& model, const text::Tokenizer& tok, const MetricsInputs& in,
                              const std::string& label) {
  auto f = generate_predictions(model, tok, *in.forget, in.generation, label + " forget");
  auto r = generate_predictions(model, tok, *in.retain, in.generation, label + " retain");
  std::optional<MiaLosses> losses;
  if (!in.mia_dir.empty()) {
    MiaRun run = run_mia(model, tok, in.mia_dir, in.mia);
    losses.emplace();
    for (const auto& d : run.docs) (d.label == "member" ? losses->member : losses->nonmember).push_back(d.nll.loss);
  }
  ModelMetrics m;
  m.score = semeval_score(f, r, losses, std::nullopt);
  for (auto& row : m.score.forget.rows) m.forget_scores.push_back(row.score);
  for (auto& row : m.score.retain.rows) m.retain_scores.push_back(row.score);
  return m;
}

std::shared_ptr<model::CausalLM> merged_copy(const model::CausalLM& m) {
  return std::make_shared<model::CausalLM>(m.config(), m.merged_weights(m.dtype()));
}

}  // namespace libu::eval::attacks
