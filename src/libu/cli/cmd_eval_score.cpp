// libu eval score — every official SemEval-2025 Task 4 number from prediction files,
// without a model (the official script's --compute_metrics_only). docs/eval.md.
#include <optional>

#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/log.h"
#include "libu/eval/semeval_score.h"

namespace libu::cli {
namespace {

std::string fmt(const std::optional<double>& v) { return v ? cat(*v) : std::string("n/a"); }

int run_eval_score(const Options& o) {
  const std::string dir = o.str("predictions");
  std::optional<double> mmlu;
  if (o.given("mmlu-acc")) mmlu = o.f64("mmlu-acc");
  eval::ScoreOptions so;
  so.csv_roundtrip = o.flag("csv-roundtrip");
  log_info("eval score: predictions ", dir, ", mmlu ", fmt(mmlu), ", csv-roundtrip ",
           so.csv_roundtrip ? "on" : "off");
  eval::SemevalResult r = eval::score_predictions_dir(dir, mmlu, so);
  if (!r.mia_auc) log_warn("no ", dir, "/mia.jsonl: mia_final_score and aggregate-score are null");
  if (!r.mmlu) log_warn("no --mmlu-acc: aggregate-score is null");
  nlohmann::json j = eval::semeval_to_json(r);
  j["options"] = o.to_json();
  write_file_atomic(o.str("out"), j.dump(2) + "\n");
  if (o.has("rows-out") && !o.str("rows-out").empty()) {
    std::string lines;
    for (const auto& row : eval::semeval_rows_json(r)) lines += row.dump() + "\n";
    write_file_atomic(o.str("rows-out"), lines);
  }
  log_info("task aggregate ", r.task_aggregate, ", MIA AUC ", fmt(r.mia_auc), " (score ",
           fmt(r.mia_score), "), MMLU ", fmt(r.mmlu), ", final ", fmt(r.final_score), " -> ",
           o.str("out"));
  return 0;
}

Registrar reg_eval_score({"eval score",
               "compute the official SemEval-2025 Task 4 metrics from prediction files (no model)",
               {{"predictions", OptType::Path, "",
                 "folder with forget.jsonl and retain.jsonl ({id, task, output, generation}) and "
                 "optionally mia.jsonl ({id, label: member|nonmember, loss})",
                 true},
                {"mmlu-acc", OptType::Float, "", "MMLU accuracy in [0, 1] (needed for aggregate-score)"},
                {"out", OptType::Path, "", "metrics JSON to write (atomically)", true},
                {"rows-out", OptType::Path, "", "optional JSONL with every row's score"},
                {"csv-roundtrip", OptType::Bool, "true",
                 "score generations as the official script does after its pandas CSV round trip "
                 "(empty or NA-like generation -> \"nan\")"}},
               run_eval_score});

}  // namespace
}  // namespace libu::cli
