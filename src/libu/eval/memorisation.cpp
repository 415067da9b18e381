// libu/eval/memorisation.cpp — see memorisation.h.
#include "libu/eval/memorisation.h"

#include <cmath>

#include "libu/eval/generation_eval.h"
#include "libu/unlearn/row_scores.h"

namespace libu::eval {

double exact_memorisation(const std::vector<uint8_t>& hits) {
  if (hits.empty()) return std::nan("");
  size_t right = 0;
  for (auto h : hits) right += h ? 1 : 0;
  return double(right) / double(hits.size());
}

double extraction_strength(const std::vector<uint8_t>& hits) {
  if (hits.empty()) return std::nan("");
  size_t suffix = 0;  // the all-correct suffix
  while (suffix < hits.size() && hits[hits.size() - 1 - suffix]) ++suffix;
  // k = n − suffix when the suffix is not empty; OpenUnlearning's loop leaves k = n − 1 otherwise.
  return double(std::max<size_t>(suffix, 1)) / double(hits.size());
}

nlohmann::json Memorisation::to_json() const {
  return {{"exact_memorisation", exact_memorisation}, {"extraction_strength", extraction_strength}, {"rows", rows}, {"skipped", skipped}};
}

Memorisation memorisation(model::CausalLM& model, const text::Tokenizer& tok, const std::vector<io::Record>& rows,
                          int64_t max_length, int64_t batch) {
  SpecialIds sp = special_ids(model, tok);
  auto ex = data::build_examples(rows, encoder_of(tok), data::ExampleOptions{data::LossOn::Answer, max_length, std::nullopt});
  auto st = unlearn::row_stats(model, ex, sp.pad, batch);
  Memorisation m;
  for (size_t i = 0; i < ex.size(); ++i) {
    if (std::isnan(st.token_acc[i])) {
      ++m.skipped;
      continue;
    }
    m.exact_memorisation += st.token_acc[i];
    m.extraction_strength += st.extraction[i];
    ++m.rows;
  }
  if (m.rows) m.exact_memorisation /= double(m.rows), m.extraction_strength /= double(m.rows);
  else m.exact_memorisation = m.extraction_strength = std::nan("");
  return m;
}

}  // namespace libu::eval
