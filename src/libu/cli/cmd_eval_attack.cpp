// libu eval attack — robustness attacks that tell removed knowledge from hidden knowledge
// (docs/robustness.md): relearning on a few forget documents, 8/4-bit quantisation of the
// merged weights, and template paraphrases of the forget questions. Writes OUT/attacks.json
// and per-row files.
#include "libu/cli/eval_options.h"
#include "libu/core/error.h"
#include "libu/core/log.h"

namespace libu::cli {
namespace {

int run_eval_attack(const Options& o) {
  eval::EvalRunOptions e;
  read_eval_model_options(o, e);
  auto a = read_attack_options(o, e);
  e.options_json = o.to_json();
  auto j = eval::eval_attack(e, a);
  log_info("attacks -> ", e.out_dir, "/attacks.json: ", eval::attacks::attacks_summary(j).dump());
  return 0;
}

std::vector<OptionSpec> eval_attack_options() {
  std::vector<OptionSpec> v = eval_model_options();
  auto a = attack_options("relearn,quantize,paraphrase");
  v.insert(v.end(), a.begin(), a.end());
  return v;
}

Registrar reg_eval_attack({"eval attack",
               "robustness attacks on an unlearned model: relearning, quantisation, paraphrases (attacks.json)",
               eval_attack_options(), run_eval_attack});

}  // namespace
}  // namespace libu::cli
