// libu report RUN_DIRS... --out report.html — one self-contained HTML page (+ report.json
// next to it) comparing unlearning runs. Prints the report path and a short table last.
#include <iostream>

#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/log.h"
#include "libu/eval/report.h"

namespace libu::cli {
namespace {

int run_report(const Options& o) {
  eval::ReportOptions ro;
  ro.run_dirs = o.positionals();
  if (ro.run_dirs.empty())
    fail("report needs at least one run folder", "usage: libu report RUN_DIR... [--before EVAL_DIR] --out report.html");
  if (o.has("before")) ro.before_dir = o.str("before");
  ro.out_html = o.str("out");
  ro.top_leaks = int(o.i64("top"));
  LIBU_CHECK(ro.top_leaks >= 0, "--top must be >= 0, got ", ro.top_leaks);
  eval::ReportResult r = eval::write_report(ro);
  for (const auto& n : r.data["notes"]) log_warn("report: ", n.get<std::string>());
  log_info("report: ", r.html_path, " and ", r.json_path);
  std::cout << r.html_path << "\n\n" << r.table;
  return 0;
}

Registrar reg_report({"report",
               "write a self-contained HTML report (and report.json next to it) comparing unlearning runs",
               {{"out", OptType::Path, "report.html", "HTML file to write (atomically); report.json goes in the same folder"},
                {"before", OptType::Path, "",
                 "evaluation of the model before unlearning: a `libu eval run` folder (metrics.json, rows.jsonl) "
                 "or a folder with eval/metrics.json"},
                {"top", OptType::Int, "10", "forget sentence-completion rows shown per run in the leak table"}},
               run_report, /*positionals=*/true, "RUN_DIRS..."});

}  // namespace
}  // namespace libu::cli
