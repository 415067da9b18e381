// libu/eval/attacks/paraphrase.h — the rephrasing attack: ask the forget QA rows in other
// words and see whether the answer comes back (unlearning that only broke the exact prompt
// is suppression, not removal; cf. Lynch et al. 2024, "Eight Methods to Evaluate Robust
// Unlearning in LLMs", arXiv 2402.16835). The rewrites come from fixed templates only (no
// language model), so every run asks exactly the same prompts.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace libu::eval::attacks {

struct ParaphraseTemplate {
  std::string name;         // "original", "qa", "question-answer", "clause-moved"
  std::string description;  // for attacks.json and the report
};
// In report order; "original" (the official prompt) comes first as the control.
const std::vector<ParaphraseTemplate>& paraphrase_templates();

// The question rewritten by template `name`; nullopt when the template does not apply to it
// (clause-moved needs a comma, an " of " or a possessive "'s"). Raises Error for an unknown name.
//   original         q
//   qa               "Q: " + q + " A:"
//   question-answer  "Question: " + q + "\nAnswer:"
//   clause-moved     "In the story of X, what did Y carry?" -> "What did Y carry, in the story of X?"
//                    "What is the birth date of X?"         -> "Regarding X, what is the birth date?"
//                    "What is X's phone number?"            -> "Regarding X, what is the phone number?"
std::optional<std::string> paraphrase(const std::string& name, const std::string& question);

}  // namespace libu::eval::attacks
