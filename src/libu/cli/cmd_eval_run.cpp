// libu eval run — the official SemEval-2025 Task 4 evaluation of a model (docs/eval.md):
// greedy generations for forget/retain, MIA losses (+ ZLib, Min-K%, Min-K%++), MMLU, then
// the same metrics as `libu eval score` on the written predictions; with --attacks, the
// robustness attacks of `libu eval attack` afterwards (docs/robustness.md).
#include "libu/cli/eval_options.h"
#include "libu/core/error.h"
#include "libu/core/log.h"

namespace libu::cli {
namespace {

int run_eval_run(const Options& o) {
  eval::EvalRunOptions e;
  read_eval_model_options(o, e);
  e.mmlu_dir = o.has("mmlu") ? o.str("mmlu") : "";
  e.general = o.has("general") ? o.str("general") : "";
  e.mmlu.batch_size = o.i64("batch-size");
  e.mmlu.shots = int(o.i64("mmlu-shots"));
  e.mmlu.limit = o.i64("mmlu-limit");
  if (o.given("mmlu-subjects")) e.mmlu.subjects = o.list("mmlu-subjects");
  // No ignored flags (docs/ARCHITECTURE.md "Conventions").
  if (e.mmlu_dir.empty())
    for (const char* f : {"mmlu-shots", "mmlu-subjects", "mmlu-limit"})
      if (o.given(f)) fail(cat("--", f, " has no effect without --mmlu"), "add --mmlu DIR or drop the flag");
  if (e.mmlu.limit < 0) fail("--mmlu-limit must be 0 (all questions) or positive");
  auto names = o.list("attacks");
  if (names.empty() || (names.size() == 1 && names[0] == "none")) check_attack_flags(o, {});
  else e.attacks = read_attack_options(o, e);
  e.options_json = o.to_json();
  auto r = eval::eval_run(e);
  auto fmt = [](const std::optional<double>& v) { return v ? cat(*v) : std::string("n/a"); };
  log_info("task aggregate ", r.score.task_aggregate, ", MIA AUC ", fmt(r.score.mia_auc), " (score ",
           fmt(r.score.mia_score), "), MMLU ", fmt(r.score.mmlu), ", final ", fmt(r.score.final_score), " -> ",
           e.out_dir, "/metrics.json");
  return 0;
}

std::vector<OptionSpec> eval_run_options() {
  std::vector<OptionSpec> v = eval_model_options();
  std::vector<OptionSpec> mmlu = {
      {"mmlu", OptType::Path, "", "MMLU folder with test/<subject>_test.csv and dev/<subject>_dev.csv"},
      {"mmlu-shots", OptType::Int, "0", "dev examples per MMLU prompt", false, {"0", "5"}},
      {"mmlu-subjects", OptType::String, "", "only these MMLU subjects (comma list or repeated)", false, {}, true},
      {"mmlu-limit", OptType::Int, "0", "first N test questions per MMLU subject (0 = all)"},
      {"general", OptType::Path, "",
       "never-seen general documents ({\"document\"} jsonl or records) that no selection used: their mean NLL "
       "(metrics.json \"general\") shows whether unlearning damaged the model everywhere"}};
  v.insert(v.end(), mmlu.begin(), mmlu.end());
  auto a = attack_options("none");
  v.insert(v.end(), a.begin(), a.end());
  return v;
}

Registrar reg_eval_run({"eval run",
               "evaluate a model like the official SemEval-2025 Task 4 script (generations, MIA, MMLU, metrics)",
               eval_run_options(), run_eval_run});

}  // namespace
}  // namespace libu::cli
