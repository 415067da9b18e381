// libu/eval/report_html.cpp — the report page (sections, tables, notes) and the plain-text
// comparison table, from collect_report()'s JSON; see report.h.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "libu/core/error.h"
#include "libu/core/fs.h"

#include "libu/eval/report.h"
#include "libu/eval/report_detail.h"

namespace libu::eval {

using nlohmann::json;
using namespace detail;

namespace {

// ==================================================================== HTML

struct Eval {
  std::string name;
  const json* summary;  // eval_summary() object
  std::string color;
};

// before (when present) then every run with an evaluation.
std::vector<Eval> evals_of(const json& report) {
  std::vector<Eval> out;
  if (report["before"].is_object()) out.push_back({"before", &report["before"], kBeforeColor});
  const json& runs = report["runs"];
  for (size_t i = 0; i < runs.size(); ++i)
    if (runs[i]["eval"].is_object()) out.push_back({runs[i]["name"].get<std::string>(), &runs[i]["eval"], color_of(i)});
  return out;
}

std::string td(const json& v) { return cat("<td class=\"num\">", report_number(v), "</td>"); }
std::string td_text(const std::string& s, const char* cls = nullptr) {
  return cls ? cat("<td class=\"", cls, "\">", html_escape(s), "</td>") : cat("<td>", html_escape(s), "</td>");
}

std::string table(const std::vector<std::string>& head, const std::vector<std::string>& rows, const char* cls = "") {
  std::string s = cat("<table class=\"", cls, "\"><thead><tr>");
  for (auto& h : head) s += cat("<th>", html_escape(h), "</th>");
  s += "</tr></thead><tbody>\n";
  for (auto& r : rows) s += cat("<tr>", r, "</tr>\n");
  return s + "</tbody></table>\n";
}

const json kNull = nullptr;
const json& eval_num(const json& run_eval, const char* key) {
  const json* v = field(run_eval, key);
  return v ? *v : kNull;
}

std::string eval_cells(const json& e) {
  std::string s;
  for (const char* k : {"final_score", "task_aggregate", "mia_score", "mia_auc", "forget_regurgitation",
                        "forget_knowledge", "retain_regurgitation", "retain_knowledge", "mmlu", "general_nll",
                        "forget_em", "forget_es"})
    s += td(eval_num(e, k));
  return s;
}

std::string phase1_cell(const json& p, const char* before, const char* after) {
  if (!p.is_object()) return "<td>-</td>";
  return cat("<td class=\"num\">", report_number(p[before]), " \u2192 ", report_number(p[after]), "</td>");
}

std::string scroll(const std::string& inner) { return "<div class=\"scroll\">" + inner + "</div>\n"; }

std::string steps_cell(const json& r) {
  return cat("<td class=\"num\">", report_number(r["steps_done"]), " / ", report_number(r["total_steps"]), "</td>");
}

std::string calibration_cells(const json& c) {
  if (!c.is_object()) return "<td>-</td><td>-</td><td>-</td><td>-</td><td>-</td><td>-</td>";
  return cat(td(c["phase1_lr"]), td_text(c["best_rule"].get<std::string>()), td(c["tau"]), td(c["best_mia_score"]),
             td(c["best_auc"]), td_text(c["stop"].get<std::string>()));
}

// Calibration warnings of the runs (a holdout that cannot be aimed at), shown under the table.
std::string warnings_note(const json& report) {
  std::string s;
  for (const json& r : report["runs"])
    for (const json& w : r["calibration"].value("warnings", json::array()))
      s += cat("<p class=\"note\">", html_escape(r["name"].get<std::string>()), ": calibration warning: ",
               html_escape(w.get<std::string>()), "</p>\n");
  return s;
}

std::string comparison_section(const json& report) {
  std::vector<std::string> rows;
  if (report["before"].is_object())
    rows.push_back(cat(td_text("before"), td_text("(before unlearning)"), eval_cells(report["before"]),
                       "<td>-</td><td>-</td>"));
  for (const json& r : report["runs"])
    rows.push_back(cat(td_text(r["name"].get<std::string>()), td_text(r["method"].get<std::string>()),
                       eval_cells(r["eval"]), steps_cell(r), td(r["wall_s"])));
  return "<section id=\"comparison\"><h2>Method comparison</h2>\n" +
         scroll(table({"run", "method", "final score", "task aggregate", "MIA score", "MIA AUC", "forget regurg.",
                       "forget knowl.", "retain regurg.", "retain knowl.", "MMLU", "never-seen NLL", "forget EM", "forget ES", "steps",
                       "wall s"},
                      rows, "cmp")) +
         "<p class=\"hint\">Forget columns are raw means (lower is better); the task aggregate inverts them. "
         "MIA score = 1 \u2212 2\u00b7|AUC \u2212 0.5| (1 is best). Never-seen NLL: mean NLL of the "
         "<code>eval run --general</code> documents; a rise over <i>before</i> means the model got worse at all "
         "text, not only at the forget set. Forget EM / ES: exact memorisation and extraction strength of the forget "
         "answers under teacher forcing (OpenUnlearning's definitions; lower is better).</p>" + warnings_note(report) + "</section>\n";
}

std::string training_section(const json& report) {
  std::vector<std::string> rows;
  for (const json& r : report["runs"])
    rows.push_back(cat(td_text(r["name"].get<std::string>()), td_text(r["method"].get<std::string>()),
                       td_text(r["objective"].get<std::string>()), steps_cell(r), td(r["best_step"]),
                       td(r["wall_s"]), phase1_cell(r["phase1"], "forget_loss_before", "forget_loss_after"),
                       phase1_cell(r["phase1"], "retain_loss_before", "retain_loss_after"),
                       calibration_cells(r["calibration"]), td_text(r.value("settings", ""))));
  return "<section id=\"training\"><h2>Runs</h2>\n" +
         scroll(table({"run", "method", "objective", "steps", "best step", "wall s", "phase 1 forget loss",
                       "phase 1 retain loss", "phase 1 \u03b7\u2081", "best rule", "holdout \u03c4",
                       "best val. MIA score", "best val. AUC", "stopped by", "settings"},
                      rows, "cmp")) +
         "<p class=\"hint\">Calibration (unlearn --holdout): \u03c4 is the never-seen rows' NLL; the validation "
         "MIA score compares validation forget rows with the holdout (1 = indistinguishable).</p></section>\n";
}

std::string bars_section(const json& report) {
  std::vector<Eval> evals = evals_of(report);
  if (evals.empty()) return "<section id=\"bars\"><h2>Before / after</h2><p class=\"note\">No evaluation found.</p></section>\n";
  static const std::pair<const char*, const char*> kGroups[] = {
      {"forget_regurgitation", "forget regurg."}, {"forget_knowledge", "forget knowl."},
      {"retain_regurgitation", "retain regurg."}, {"retain_knowledge", "retain knowl."},
      {"task_aggregate", "task aggregate"},       {"mia_score", "MIA score"},
      {"mmlu", "MMLU"},                           {"final_score", "final score"}};
  std::vector<BarGroup> groups;
  for (auto& [key, label] : kGroups) {
    BarGroup g{label, {}};
    bool any = false;
    for (auto& e : evals) g.values.push_back(eval_num(*e.summary, key)), any |= g.values.back().is_number();
    if (any) groups.push_back(std::move(g));
  }
  std::vector<std::pair<std::string, std::string>> series;
  for (auto& e : evals) series.push_back({e.name, e.color});
  return "<section id=\"bars\"><h2>Before / after</h2>\n<figure>" +
         svg_bar_chart("before/after evaluation bars", series, groups) +
         "<figcaption>Forget and retain regurgitation (ROUGE-L recall) and knowledge (exact match), "
         "task aggregate, MIA score and utility (MMLU) per evaluation. Lower forget bars mean more forgetting."
         "</figcaption></figure></section>\n";
}

std::string detail_section(const json& report) {
  std::vector<Eval> evals = evals_of(report);
  std::vector<std::string> task_cols, attack_cols, leak_cols, tr_cols;
  for (auto& e : evals) {
    const json tr = (*e.summary).value("truth_ratio", json::object());  // named: items() must not outlive it
    const json leak = (*e.summary).value("privleak", json::object());
    for (auto& [k, v] : tr.items())
      if (std::find(tr_cols.begin(), tr_cols.end(), k) == tr_cols.end()) tr_cols.push_back(k);
    for (auto& [k, v] : leak.items())
      if (std::find(leak_cols.begin(), leak_cols.end(), k) == leak_cols.end()) leak_cols.push_back(k);
    for (auto& [k, v] : (*e.summary)["tasks"].items())
      if (std::find(task_cols.begin(), task_cols.end(), k) == task_cols.end()) task_cols.push_back(k);
    for (auto& [k, v] : (*e.summary)["mia_attacks"].items())
      if (std::find(attack_cols.begin(), attack_cols.end(), k) == attack_cols.end()) attack_cols.push_back(k);
  }
  if (evals.empty()) return "";
  std::vector<std::string> head = {"evaluation"}, rows;
  for (auto& t : task_cols) head.push_back(t + " regurg."), head.push_back(t + " knowl.");
  for (auto& a : attack_cols) head.push_back("MIA AUC " + a);
  for (auto& a : leak_cols) head.push_back("PrivLeak " + a);
  for (auto& a : tr_cols) head.push_back("truth ratio " + a);
  for (auto& e : evals) {
    std::string r = td_text(e.name);
    const json& tasks = (*e.summary)["tasks"];
    for (auto& t : task_cols)
      r += tasks.contains(t) ? td(tasks[t]["regurgitation"]) + td(tasks[t]["knowledge"]) : "<td>-</td><td>-</td>";
    for (auto& a : attack_cols) r += td(eval_num((*e.summary)["mia_attacks"], a.c_str()));
    const json leak = (*e.summary).value("privleak", json::object());
    for (auto& a : leak_cols) r += td(eval_num(leak, a.c_str()));
    const json trs = (*e.summary).value("truth_ratio", json::object());
    for (auto& a : tr_cols) r += td(eval_num(trs, a.c_str()));
    rows.push_back(r);
  }
  return "<section id=\"detail\"><h2>Per-task means and MIA attacks</h2>\n" + scroll(table(head, rows, "detail")) +
         "</section>\n";
}

std::vector<std::string> term_order(const json& runs) {
  std::set<std::string> all;
  for (const json& r : runs)
    for (auto& [k, v] : r["curves"].items()) all.insert(k);
  std::vector<std::string> out(all.begin(), all.end());
  auto rank = [](const std::string& k) { return k == "loss" ? 0 : k.rfind("val_", 0) == 0 ? 2 : 1; };
  std::stable_sort(out.begin(), out.end(), [&](auto& a, auto& b) { return rank(a) < rank(b); });
  return out;
}

std::string curve_data(const std::string& name, const json& c) {
  std::string pts;
  for (size_t i = 0; i < c["steps"].size(); ++i)
    pts += cat(i ? " " : "", report_number(c["steps"][i]), ":", report_number(c["values"][i]));
  return cat("<p class=\"data\"><b>", html_escape(name), "</b> ", pts, "</p>\n");
}

std::string curve_figure(const std::string& term, const json& runs) {
  std::vector<LineSeries> series;
  std::vector<std::string> rows;
  std::string data;
  for (size_t i = 0; i < runs.size(); ++i) {
    const json* c = field(runs[i]["curves"], term.c_str());
    if (!c) continue;
    LineSeries s{runs[i]["name"].get<std::string>(), color_of(i), {}, {}};
    for (size_t k = 0; k < (*c)["steps"].size(); ++k)
      s.x.push_back((*c)["steps"][k].get<double>()), s.y.push_back((*c)["values"][k].get<double>());
    rows.push_back(cat(td_text(s.name), td((*c)["first"]), td((*c)["last"]), td((*c)["min"]), td((*c)["points"])));
    data += curve_data(s.name, *c);
    series.push_back(std::move(s));
  }
  return cat("<figure><figcaption>", html_escape(term), "</figcaption>\n", svg_line_chart(term, series),
             table({"run", "first", "last", "min", "points"}, rows, "small"),
             "<details><summary>plotted points (step:value)</summary>\n", data, "</details></figure>\n");
}

std::string curves_section(const json& report) {
  std::vector<std::string> terms = term_order(report["runs"]);
  std::string s = "<section id=\"curves\"><h2>Training curves per objective term</h2>\n";
  if (terms.empty()) return s + "<p class=\"note\">No metrics.jsonl found.</p></section>\n";
  s += "<div class=\"charts\">\n";
  for (auto& t : terms) s += curve_figure(t, report["runs"]);
  return s + "</div></section>\n";
}

std::string leaks_table(const json& run) {
  const json& lk = run["leaks"];
  std::vector<std::string> rows;
  for (size_t i = 0; i < lk["rows"].size(); ++i) {
    const json& r = lk["rows"][i];
    rows.push_back(cat("<td class=\"num\">", i + 1, "</td>", td_text(r["id"].get<std::string>()),
                       td_text(r["task"].get<std::string>()), td(r["score"]),
                       td_text(clip_text(r["input"].get<std::string>(), 600), "text"),
                       td_text(clip_text(r["output"].get<std::string>(), 600), "text"),
                       td_text(clip_text(r["generation"].get<std::string>(), 600), "text")));
  }
  std::string h = cat("<h3>", html_escape(run["name"].get<std::string>()), " \u2014 top ", lk["rows"].size(), " of ",
                      report_number(lk["forget_sc_rows"]), " forget SC rows</h3>\n");
  if (rows.empty()) return h + "<p class=\"note\">No forget sentence-completion rows (eval/rows.jsonl).</p>\n";
  return h + scroll(table({"#", "id", "task", "ROUGE-L recall", "input", "expected output", "generation"}, rows, "leak"));
}

std::string leaks_section(const json& report) {
  std::string s = "<section id=\"leaks\"><h2>Forget rows that still leak</h2>\n"
                  "<p class=\"hint\">Forget sentence-completion rows with the highest ROUGE-L recall after "
                  "unlearning (1 = the expected continuation is reproduced word for word).</p>\n";
  for (const json& r : report["runs"]) s += leaks_table(r);
  return s + "</section>\n";
}

// ------------------------------------------------------------ robustness

const json& at_path(const json& j, std::initializer_list<const char*> keys) {
  const json* p = &j;
  for (const char* k : keys) {
    p = p->is_object() ? field(*p, k) : nullptr;
    if (!p) return kNull;
  }
  return *p;
}

std::vector<double> curve_values(const json& pts, const char* key, std::vector<double>& steps) {
  std::vector<double> y;
  steps.clear();
  for (const json& p : pts)
    if (p[key].is_number()) steps.push_back(double(p["step"].get<int64_t>())), y.push_back(p[key].get<double>());
  return y;
}

// Probe score over relearning steps: each run's model, plus the memorised reference and the
// never-trained baseline of the first run that has them.
std::string recovery_chart(const json& runs) {
  std::vector<LineSeries> series;
  json ref = nullptr, base = nullptr;
  for (size_t i = 0; i < runs.size(); ++i) {
    const json& c = at_path(runs[i], {"robustness", "relearn", "curves"});
    if (!c.is_object()) continue;
    LineSeries s{runs[i]["name"].get<std::string>(), color_of(i), {}, {}};
    if (c.contains("model")) s.y = curve_values(c["model"], "score", s.x);
    if (!s.x.empty()) series.push_back(s);
    if (ref.is_null() && c.contains("reference")) ref = c["reference"];
    if (base.is_null() && c.contains("baseline")) base = c["baseline"];
  }
  if (series.empty()) return "";
  for (auto [name, pts, color] : {std::tuple{"memorised (reference)", &ref, kBeforeColor},
                                  std::tuple{"never trained (baseline)", &base, "#000000"}}) {
    if (!pts->is_array()) continue;
    LineSeries s{name, color, {}, {}};
    s.y = curve_values(*pts, "score", s.x);
    if (!s.x.empty()) series.push_back(s);
  }
  return "<figure>" + svg_line_chart("relearning recovery curves", series) +
         "<figcaption>Probe forget score (mean of knowledge and regurgitation on forget documents never used "
         "for relearning) over relearning steps on the other forget documents. Removed knowledge stays flat like "
         "the never-trained baseline; hidden knowledge climbs back towards the memorised level.</figcaption></figure>\n";
}

std::string quantize_chart(const json& runs, const char* key, const char* what) {
  static const std::pair<const char*, const char*> kVariants[] = {
      {"unquantized", "#1f77b4"}, {"int8", "#ff7f0e"}, {"int4", "#d62728"}};
  std::vector<BarGroup> groups;
  for (const json& r : runs) {
    const json& v = at_path(r, {"robustness", "quantize", "variants"});
    if (!v.is_object()) continue;
    BarGroup g{r["name"].get<std::string>(), {}};
    for (auto& [name, color] : kVariants) g.values.push_back(at_path(v, {name, key}));
    groups.push_back(g);
  }
  if (groups.empty()) return "";
  std::vector<std::pair<std::string, std::string>> series;
  for (auto& [name, color] : kVariants) series.push_back({name, color});
  return "<figure>" + svg_bar_chart(cat("quantised ", what), series, groups) + "<figcaption>" + what +
         " of each run's merged model, unquantised and after an int8 / int4 round trip (symmetric, groups of "
         "128 along the input dimension).</figcaption></figure>\n";
}

std::string robustness_table(const json& runs) {
  std::vector<std::string> rows;
  for (const json& r : runs) {
    const json& rb = r["robustness"];
    if (!rb.is_object()) continue;
    const json& rl = at_path(rb, {"relearn"});
    for (const char* who : {"model", "baseline"}) {
      const json& rec = at_path(rl, {"recovery", who});
      if (!rec.is_object()) continue;
      rows.push_back(cat("<tr>", td_text(cat(r["name"].get<std::string>(), who == std::string("model") ? "" : " (baseline)")),
                         td(rec["headline"]), td_text(rec["headline_kind"].get<std::string>()), td(rec["score"]),
                         td(rec["knowledge"]), td(rec["regurgitation"]), td(rec["nll"]),
                         td(rl["steps"]), td(rl["lr"]), td(rl["fraction"]), td(rl["probe_rows"]), "</tr>"));
    }
  }
  if (rows.empty()) return "";
  return "<h3>Relearning</h3>\n" +
         scroll(table({"run", "recovery (headline: best step)", "of", "at the last step: score", "knowledge",
                       "regurgitation", "NLL", "steps", "lr", "attack share", "probe rows"},
                      rows, "cmp"));
}

// Every measured point of every relearning curve (the chart's numbers, as text).
std::string relearn_points_table(const json& runs) {
  std::vector<std::string> rows;
  for (const json& r : runs)
    for (auto& [who, pts] : at_path(r, {"robustness", "relearn", "curves"}).items())
      for (const json& p : pts)
        rows.push_back(cat("<tr>", td_text(r["name"].get<std::string>()), td_text(who), td(p["step"]), td(p["score"]),
                           td(p["knowledge"]), td(p["regurgitation"]), td(p["nll"]), "</tr>"));
  if (rows.empty()) return "";
  return "<details><summary>curve points</summary>" +
         scroll(table({"run", "model", "step", "probe score", "knowledge", "regurgitation", "answer NLL"}, rows, "cmp")) +
         "</details>\n";
}

std::string quantize_table(const json& runs) {
  std::vector<std::string> rows;
  for (const json& r : runs) {
    const json& q = at_path(r, {"robustness", "quantize"});
    if (!q.is_object()) continue;
    for (auto& [name, v] : q["variants"].items())
      rows.push_back(cat("<tr>", td_text(r["name"].get<std::string>()), td_text(name), td(q["group_size"]),
                         td(v["task_aggregate"]), td(v["forget_knowledge"]), td(v["forget_regurgitation"]),
                         td(v["forget_score"]), td(v["mia_auc"]), "</tr>"));
  }
  if (rows.empty()) return "";
  return "<h3>Quantisation</h3>\n" +
         scroll(table({"run", "variant", "group", "task aggregate", "forget knowledge", "forget regurgitation",
                       "forget score", "MIA AUC"},
                      rows, "cmp"));
}

std::string paraphrase_table(const json& runs) {
  std::vector<std::string> cols, rows;
  for (const json& r : runs)
    for (auto& [t, v] : at_path(r, {"robustness", "paraphrase", "model"}).items())
      if (std::find(cols.begin(), cols.end(), t) == cols.end()) cols.push_back(t);
  if (cols.empty()) return "";
  for (const json& r : runs) {
    const json& p = at_path(r, {"robustness", "paraphrase"});
    if (!p.is_object()) continue;
    for (const char* who : {"model", "reference"}) {
      if (!p.contains(who)) continue;
      std::string row = cat("<tr>", td_text(cat(r["name"].get<std::string>(), who == std::string("model") ? "" : " (reference)")));
      for (auto& c : cols) row += td(at_path(p, {who, c.c_str()}));
      rows.push_back(row + "</tr>");
    }
  }
  std::vector<std::string> head = {"forget knowledge under"};
  head.insert(head.end(), cols.begin(), cols.end());
  return "<h3>Paraphrased forget questions</h3>\n" + scroll(table(head, rows, "cmp")) +
         "<p class=\"hint\">Template rewrites of the forget QA prompts; the reference row shows whether the "
         "memorised model answers the rewrite at all.</p>\n";
}

std::string robustness_section(const json& report) {
  const json& runs = report["runs"];
  bool any = false;
  for (const json& r : runs) any |= r["robustness"].is_object();
  if (!any) return "";
  return "<section id=\"robustness\"><h2>Robustness</h2>\n<p class=\"hint\">Attacks that tell removed knowledge "
         "from hidden knowledge (docs/robustness.md). Recovery = (probe score after relearning \u2212 before) / "
         "(memorised \u2212 before): near 0 means removed, near 1 means hidden. The headline is the best measured "
         "step's knowledge recovery.</p>\n" +
         robustness_table(runs) + recovery_chart(runs) + relearn_points_table(runs) + quantize_table(runs) +
         quantize_chart(runs, "task_aggregate", "task aggregate") + quantize_chart(runs, "forget_score", "forget score") +
         paraphrase_table(runs) + "</section>\n";
}

std::string notes_section(const json& report) {
  if (report["notes"].empty()) return "";
  std::string s = "<section id=\"notes\"><h2>Notes</h2><ul class=\"notes\">\n";
  for (auto& n : report["notes"]) s += cat("<li>", html_escape(n.get<std::string>()), "</li>\n");
  return s + "</ul></section>\n";
}

const char* kCss =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;max-width:1220px;"
    "margin:20px auto;padding:0 16px;line-height:1.4}"
    "h1{font-size:1.6em;margin-bottom:4px}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:4px;"
    "margin-top:32px}h3{font-size:1.05em;margin:18px 0 6px}"
    "table{border-collapse:collapse;font-size:13px;margin:8px 0}"
    "th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}"
    "th{background:#f3f4f6;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}table.cmp tr:nth-child(even),table.detail tr:nth-child(even){background:#fafafa}"
    "table.small{font-size:12px}.hint,.meta{color:#666;font-size:13px}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:14px}"
    "figure{margin:0;border:1px solid #e5e5e5;border-radius:4px;padding:8px;overflow-x:auto}"
    "figcaption{font-weight:600;margin:2px 0 6px}#bars figcaption{font-weight:normal;color:#555;font-size:13px}"
    "svg{max-width:100%;height:auto;display:block}svg text{font-size:11px;fill:#333}"
    "svg text.bv{font-size:9px;fill:#444}svg text.na{fill:#aaa}"
    "td.text{max-width:330px;white-space:pre-wrap;word-break:break-word;"
    "font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}"
    ".scroll{overflow-x:auto;max-width:100%}details{font-size:12px;margin-top:4px}p.data{font-family:ui-monospace,monospace;font-size:11px;"
    "word-break:break-all;margin:4px 0}ul.notes li{color:#8a5300}";

}  // namespace

std::string render_report_html(const json& report) {
  std::string body = notes_section(report) + comparison_section(report) + bars_section(report) +
                     detail_section(report) + training_section(report) + robustness_section(report) +
                     curves_section(report) + leaks_section(report);
  return cat("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n",
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n",
             "<title>libu unlearning report</title>\n<style>", kCss, "</style>\n</head>\n<body>\n",
             "<h1>libu unlearning report</h1>\n<p class=\"meta\">", report["runs"].size(),
             " run(s). Floats are shown with 4 decimals, as in report.json.</p>\n", body, "</body>\n</html>\n");
}

// ==================================================================== text table

std::string report_table(const json& report) {
  std::vector<std::vector<std::string>> rows = {
      {"run", "method", "final", "task-agg", "MIA", "forget-reg", "retain-reg", "MMLU", "steps", "wall-s"}};
  auto add = [&](const std::string& name, const std::string& method, const json& e, const json& run) {
    rows.push_back({name, method, report_number(eval_num(e, "final_score")), report_number(eval_num(e, "task_aggregate")),
                    report_number(eval_num(e, "mia_score")), report_number(eval_num(e, "forget_regurgitation")),
                    report_number(eval_num(e, "retain_regurgitation")), report_number(eval_num(e, "mmlu")),
                    report_number(run.is_object() ? run["steps_done"] : kNull),
                    report_number(run.is_object() ? run["wall_s"] : kNull)});
  };
  if (report["before"].is_object()) add("before", "-", report["before"], kNull);
  for (const json& r : report["runs"]) add(r["name"].get<std::string>(), r["method"].get<std::string>(), r["eval"], r);
  std::vector<size_t> width(rows[0].size(), 0);
  for (auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  std::string out;
  for (auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      std::string pad(width[c] - r[c].size(), ' ');
      line += (c ? "  " : "") + (c < 2 ? r[c] + pad : pad + r[c]);
    }
    out += line.substr(0, line.find_last_not_of(' ') + 1) + "\n";
  }
  return out;
}

ReportResult write_report(const ReportOptions& opt) {
  std::filesystem::path html(opt.out_html);
  if (html.filename() == "report.json" || html.filename().empty())
    fail(cat("--out ", opt.out_html, ": not an HTML file name (report.json is written next to it)"),
         "use e.g. --out demo-out/report.html");
  ReportResult res;
  res.data = collect_report(opt);
  if (html.has_parent_path()) make_dirs(html.parent_path().string());
  res.html_path = html.string();
  res.json_path = (html.has_parent_path() ? html.parent_path() / "report.json" : std::filesystem::path("report.json")).string();
  write_file_atomic(res.html_path, render_report_html(res.data));
  write_file_atomic(res.json_path, res.data.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  res.table = report_table(res.data);
  return res;
}

}  // namespace libu::eval

