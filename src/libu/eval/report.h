// libu/eval/report.h — `libu report`: one self-contained HTML page (inline CSS and SVG
// charts, no external assets) plus report.json comparing unlearning runs. No torch.
//
// Each RUN_DIR may hold (every part optional; what is absent is skipped with a note):
//   run.json           from `libu unlearn` (method, objective, steps_done, wall_s, phase1...)
//   metrics.jsonl      one line per optimizer step; {"validation": {...}} lines
//   eval/metrics.json  from `libu eval run` (semeval_to_json + mia_attacks, mmlu)
//   eval/rows.jsonl    per-row scores (split, id, task, type, score, input, output, generation)
// The optional "before" folder is the evaluation of the model before unlearning: either an
// eval folder (metrics.json) or a run folder with eval/metrics.json.
//
// Every number is rounded to 4 decimals when collected; the HTML prints floats with
// report_number() ("%.4f") and integers as integers, so each number of report.json appears
// verbatim in the page. See docs/report.md.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace libu::eval {

struct ReportOptions {
  std::vector<std::string> run_dirs;
  std::string before_dir;   // optional
  std::string out_html = "report.html";
  int top_leaks = 10;       // forget SC rows shown per run
  int max_curve_points = 200;  // per series (evenly thinned, first and last kept)
};

struct ReportResult {
  std::string html_path, json_path;
  nlohmann::json data;  // what report.json holds
  std::string table;    // the plain-text comparison table
};

// Reads the runs and returns report.json's content. Raises Error when a RUN_DIR is not a
// folder or no RUN_DIR is given; missing or unreadable files become entries of "notes".
nlohmann::json collect_report(const ReportOptions& opt);
// The whole HTML page for collect_report()'s JSON.
std::string render_report_html(const nlohmann::json& report);
// Short fixed-width comparison table (one line per evaluation) for stdout.
std::string report_table(const nlohmann::json& report);
// collect + render + write HTML and report.json (same folder) atomically.
ReportResult write_report(const ReportOptions& opt);

// "%.4f" for floats (the format of every float in the page); null -> "n/a".
std::string report_number(const nlohmann::json& v);
// & < > " ' escaped.
std::string html_escape(std::string_view s);

}  // namespace libu::eval
