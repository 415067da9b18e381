// libu/eval/exact_match.h — the SemEval knowledge score of a QA row (docs/eval.md):
// int(gt.strip().lower() == gen.strip().lower()) with Python's Unicode-aware str.strip()
// and str.lower() (pystr.h). No torch.
#pragma once
#include <string_view>

namespace libu::eval {

bool exact_match(std::string_view ground_truth, std::string_view generation);
// 1.0 or 0.0.
inline double knowledge_score(std::string_view ground_truth, std::string_view generation) {
  return exact_match(ground_truth, generation) ? 1.0 : 0.0;
}

}  // namespace libu::eval
