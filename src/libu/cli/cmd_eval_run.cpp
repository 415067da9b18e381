// libu eval run — the official SemEval-2025 Task 4 evaluation of a model (BRIEF §3):
// greedy generations for forget/retain, MIA losses (+ ZLib, Min-K%, Min-K%++), MMLU, then
// the same metrics as `libu eval score` on the written predictions.
#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/log.h"
#include "libu/eval/eval_run.h"

namespace libu::cli {
namespace {

std::string opt_str(const Options& o, const std::string& name) { return o.has(name) ? o.str(name) : ""; }

int run_eval_run(const Options& o) {
  eval::EvalRunOptions e;
  e.model_dir = o.str("model");
  e.adapter_dir = opt_str(o, "adapter");
  e.forget = o.str("forget");
  e.retain = o.str("retain");
  e.mia_dir = opt_str(o, "mia");
  e.mmlu_dir = opt_str(o, "mmlu");
  e.out_dir = o.str("out");
  e.dtype = o.str("dtype");
  e.device = o.str("device");
  e.generation.max_new_tokens = o.i64("max-new-tokens");
  e.generation.batch_size = o.i64("batch-size");
  e.limit = o.i64("limit");
  e.mia.batch_size = o.i64("batch-size");
  e.mia.max_length = o.i64("mia-max-length");
  e.mmlu.batch_size = o.i64("batch-size");
  e.mmlu.shots = int(o.i64("mmlu-shots"));
  e.mmlu.limit = o.i64("mmlu-limit");
  if (o.given("mmlu-subjects")) e.mmlu.subjects = o.list("mmlu-subjects");
  // No ignored flags (BRIEF §5).
  if (e.mmlu_dir.empty())
    for (const char* f : {"mmlu-shots", "mmlu-subjects", "mmlu-limit"})
      if (o.given(f)) fail(cat("--", f, " has no effect without --mmlu"), "add --mmlu DIR or drop the flag");
  if (e.mia_dir.empty() && o.given("mia-max-length"))
    fail("--mia-max-length has no effect without --mia", "add --mia DIR or drop the flag");
  if (e.generation.max_new_tokens < 1) fail("--max-new-tokens must be at least 1", "the official setting is 256");
  if (e.generation.batch_size < 1) fail("--batch-size must be at least 1");
  if (e.limit < 0) fail("--limit must be 0 (all rows) or positive");
  if (e.mmlu.limit < 0) fail("--mmlu-limit must be 0 (all questions) or positive");
  if (e.mia.max_length < 2) fail("--mia-max-length must be at least 2");
  e.options_json = o.to_json();
  auto r = eval::eval_run(e);
  auto fmt = [](const std::optional<double>& v) { return v ? cat(*v) : std::string("n/a"); };
  log_info("task aggregate ", r.score.task_aggregate, ", MIA AUC ", fmt(r.score.mia_auc), " (score ",
           fmt(r.score.mia_score), "), MMLU ", fmt(r.score.mmlu), ", final ", fmt(r.score.final_score), " -> ",
           e.out_dir, "/metrics.json");
  return 0;
}

Registrar reg({"eval run",
               "evaluate a model like the official SemEval-2025 Task 4 script (generations, MIA, MMLU, metrics)",
               {{"model", OptType::Path, "", "HF model folder (config.json, safetensors, tokenizer.json)", true},
                {"adapter", OptType::Path, "", "PEFT LoRA adapter folder to apply"},
                {"forget", OptType::Path, "", "forget split: a .parquet/.jsonl file or a dataset folder", true},
                {"retain", OptType::Path, "", "retain split: a .parquet/.jsonl file or a dataset folder", true},
                {"mia", OptType::Path, "", "MIA folder with member.jsonl and nonmember.jsonl (field `document`)"},
                {"mia-max-length", OptType::Int, "2048", "tokens per MIA document (longer ones are truncated)"},
                {"mmlu", OptType::Path, "", "MMLU folder with test/<subject>_test.csv and dev/<subject>_dev.csv"},
                {"mmlu-shots", OptType::Int, "0", "dev examples per MMLU prompt", false, {"0", "5"}},
                {"mmlu-subjects", OptType::String, "", "only these MMLU subjects (comma list or repeated)", false, {},
                 true},
                {"mmlu-limit", OptType::Int, "0", "first N test questions per MMLU subject (0 = all)"},
                {"max-new-tokens", OptType::Int, "256", "greedy generation length limit (official: 256)"},
                {"batch-size", OptType::Int, "8", "rows per batch for generation, MIA and MMLU"},
                {"limit", OptType::Int, "0",
                 "at most N rows per split, spread over the (task, sc/qa) groups (0 = all)"},
                {"dtype", OptType::String, "bf16", "compute dtype (official script: bf16; auto = the file's)", false,
                 {"bf16", "fp32", "fp16", "auto"}},
                {"device", OptType::String, "cpu", "torch device: cpu, cuda, cuda:N"},
                {"out", OptType::Path, "", "output folder (predictions, metrics.json, rows.csv)", true}},
               run_eval_run});

}  // namespace
}  // namespace libu::cli
