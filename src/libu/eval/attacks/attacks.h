// libu/eval/attacks/attacks.h — `libu eval attack` and `eval run --attacks`: runs the chosen
// robustness attacks on one (unlearned) model and writes OUT/attacks.json plus per-row files
// (docs/robustness.md):
//   relearn_rows.jsonl     model, step, id, type, score, nll, generation   (probe rows)
//   quantize_rows.jsonl    variant, split, id, type, score
//   paraphrase_rows.jsonl  model, template, split, id, prompt, generation, score
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/eval/attacks/common.h"
#include "libu/eval/attacks/relearn.h"

namespace libu::eval::attacks {

// The attack names in run order.
const std::vector<std::string>& attack_names();  // relearn, quantize, paraphrase
// Checks a list of names (or "all"); raises Error naming the unknown one.
std::vector<std::string> parse_attacks(const std::vector<std::string>& names);

struct AttackOptions {
  std::vector<std::string> attacks;  // parse_attacks()
  std::string reference_dir;  // the memorised model before unlearning (default: --model without --adapter)
  std::string baseline_dir;   // optional: a model never trained on the forget set
  std::string mia_dir;        // optional, for the quantised models' MIA AUC
  std::string dtype = "bf16", device = "cpu";  // how reference and baseline are loaded
  GenerationOptions generation;
  MiaOptions mia;
  RelearnOptions relearn;
  std::vector<int> quant_bits = {8, 4};
  int64_t quant_group = 128;
  double min_gap = 0.05;  // recovery ratio undefined below this removed score
  uint64_t seed = 0;
  std::string out_dir;
};

// The model under attack and what it is evaluated on.
struct AttackTarget {
  model::CausalLM* model = nullptr;
  bool has_adapter = false;  // then the reference defaults to the model without it
  const text::Tokenizer* tok = nullptr;
  const std::vector<io::Record>* forget = nullptr;
  const std::vector<io::Record>* retain = nullptr;
  std::string forget_source;              // for messages
  const ModelMetrics* unquantized = nullptr;  // the plain evaluation when already done (eval run)
};

// Runs the attacks, writes the files above atomically and returns attacks.json's content.
nlohmann::json run_attacks(const AttackTarget& t, const AttackOptions& opt);
// The headline numbers (for metrics.json["attacks"] and logs): relearn recovery ratios,
// quantised task aggregate / forget knowledge changes, paraphrase forget knowledge.
nlohmann::json attacks_summary(const nlohmann::json& attacks);

}  // namespace libu::eval::attacks
