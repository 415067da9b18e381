// libu/eval/truth_ratio.cpp — see truth_ratio.h.
#include "libu/eval/truth_ratio.h"

#include <algorithm>

#include "libu/eval/generation_eval.h"
#include "libu/unlearn/row_scores.h"

namespace libu::eval {

double truth_ratio_row(double right_loss, const std::vector<double>& wrong_losses) {
  double mean = 0;
  for (double l : wrong_losses) mean += l / double(wrong_losses.size());
  return std::exp(-mean) / (std::exp(-right_loss) + 1e-10);
}

double truth_ratio_closer_to_1(const std::vector<double>& tr) {
  double s = 0;
  for (double x : tr) s += std::min(x, 1.0 / (x + 1e-10));
  return tr.empty() ? NAN : s / double(tr.size());
}

double truth_ratio_true_better(const std::vector<double>& tr) {
  double s = 0;
  for (double x : tr) s += std::max(0.0, 1.0 - x);
  return tr.empty() ? NAN : s / double(tr.size());
}

nlohmann::json TruthRatio::to_json(bool forget) const {
  return {{"value", value}, {"mean_ratio", mean_ratio}, {"rows", rows},
          {"aggregator", forget ? "closer_to_1_better" : "true_better"}};
}

TruthRatio truth_ratio(model::CausalLM& model, const text::Tokenizer& tok, const std::vector<io::Record>& rows,
                       bool forget, int64_t max_length, int64_t batch) {
  // One record per answer to score: (input, paraphrased) then (input, perturbed j) for each row.
  std::vector<io::Record> answers;
  std::vector<std::pair<size_t, size_t>> span;  // per kept row: first answer index, answer count
  for (const auto& r : rows) {
    if (r.paraphrased.empty() || r.perturbed.empty()) continue;
    span.emplace_back(answers.size(), 1 + r.perturbed.size());
    answers.push_back({r.id, r.input, r.paraphrased, r.task, r.split, {}, {}});
    for (const auto& p : r.perturbed) answers.push_back({r.id, r.input, p, r.task, r.split, {}, {}});
  }
  TruthRatio out;
  if (span.empty()) return out;
  SpecialIds sp = special_ids(model, tok);
  auto ex = data::build_examples(answers, encoder_of(tok), data::ExampleOptions{data::LossOn::Answer, max_length, std::nullopt});
  auto nll = unlearn::row_nlls(model, ex, sp.pad, batch);  // mean answer-token NLL (NaN: no answer token)
  std::vector<double> tr;
  for (auto [first, count] : span) {
    std::vector<double> wrong(nll.begin() + long(first) + 1, nll.begin() + long(first + count));
    if (std::isnan(nll[first]) || std::any_of(wrong.begin(), wrong.end(), [](double x) { return std::isnan(x); }))
      continue;
    tr.push_back(truth_ratio_row(nll[first], wrong));
  }
  out.rows = tr.size();
  out.value = forget ? truth_ratio_closer_to_1(tr) : truth_ratio_true_better(tr);
  double s = 0;
  for (double x : tr) s += x;
  out.mean_ratio = tr.empty() ? NAN : s / double(tr.size());
  return out;
}

}  // namespace libu::eval
