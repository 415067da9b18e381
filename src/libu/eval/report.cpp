// libu/eval/report.cpp — see report.h. Reading: run folders -> report.json (report_svg.cpp
// draws the charts, report_html.cpp writes the page and the text table).
#include "libu/eval/report.h"

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
#include "libu/io/jsonl.h"
#include "libu/core/fs.h"

#include "libu/eval/report_detail.h"

namespace libu::eval {

using nlohmann::json;

namespace detail {
// ---------------------------------------------------------------- numbers, text

json r4(double v) {
  if (!std::isfinite(v)) return nullptr;
  double r = std::round(v * 1e4) / 1e4;
  return r == 0 ? 0.0 : r;  // no "-0.0000"
}

const json* field(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

json float_at(const json& j, const char* key) {
  const json* v = field(j, key);
  return v && v->is_number() ? r4(v->get<double>()) : json(nullptr);
}

json int_at(const json& j, const char* key) {
  const json* v = field(j, key);
  return v && v->is_number_integer() ? json(v->get<int64_t>()) : json(nullptr);
}

std::string str_at(const json& j, const char* key, const std::string& dflt) {
  const json* v = field(j, key);
  return v && v->is_string() ? v->get<std::string>() : dflt;
}

// At most `max_bytes` bytes, cut on a UTF-8 character boundary, "…" appended when cut.
std::string clip_text(const std::string& s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "\u2026";
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}
}  // namespace detail

using namespace detail;

namespace {

// ---------------------------------------------------------------- reading

json read_json_opt(const std::string& path, json& notes) {
  if (!path_exists(path)) {
    notes.push_back(cat(path, ": not found; skipped"));
    return nullptr;
  }
  try {
    return io::read_json_file(path);
  } catch (const Error& e) {
    notes.push_back(cat(e.message(), "; skipped"));
  }
  return nullptr;
}

std::vector<json> read_jsonl_opt(const std::string& path, json& notes) {
  std::vector<json> out;
  if (!path_exists(path)) {
    notes.push_back(cat(path, ": not found; skipped"));
    return out;
  }
  std::istringstream in(read_file(path));
  std::string line;
  size_t bad = 0, lines = 0;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++lines;
    try {
      json j = json::parse(line);
      if (j.is_object()) out.push_back(std::move(j)); else ++bad;
    } catch (const json::exception&) {
      ++bad;
    }
  }
  if (bad) notes.push_back(cat(path, ": ", bad, " of ", lines, " lines unreadable; skipped"));
  return out;
}

// metrics.json "memorisation"/"forget"/key (eval/memorisation.h), or null for older runs.
json memorisation_at(const json& m, const char* key) {
  const json* mem = field(m, "memorisation");
  const json* f = mem ? field(*mem, "forget") : nullptr;
  return f ? float_at(*f, key) : json(nullptr);
}

// The evaluation numbers of one metrics.json (semeval_to_json + eval run's extras).
json eval_summary(const json& m, const std::string& source) {
  const json empty = json::object();
  auto split = [&](const char* s) -> const json& { const json* p = field(m, s); return p ? *p : empty; };
  json s = {{"source", source},
            {"forget_regurgitation", float_at(split("forget"), "overall-regurgitation-score")},
            {"forget_knowledge", float_at(split("forget"), "overall-knowledge-score")},
            {"retain_regurgitation", float_at(split("retain"), "overall-regurgitation-score")},
            {"retain_knowledge", float_at(split("retain"), "overall-knowledge-score")},
            {"task_aggregate", float_at(m, "harmonic-mean-task-aggregate")},
            {"mia_auc", float_at(m, "mia_loss_acc")},
            {"mia_score", float_at(m, "mia_final_score")},
            {"mmlu", float_at(m, "mmlu_average")},
            {"general_nll", field(m, "general") ? float_at(*field(m, "general"), "nll") : json(nullptr)},
            {"forget_em", memorisation_at(m, "exact_memorisation")},
            {"forget_es", memorisation_at(m, "extraction_strength")},
            {"final_score", float_at(m, "aggregate-score")}};
  json tasks = json::object();
  for (const char* sp : {"forget", "retain"})
    for (auto& [task, v] : split(sp).items())
      if (v.is_object())
        tasks[cat(sp, "/", task)] = {{"regurgitation", float_at(v, "regurgitation-score")},
                                     {"knowledge", float_at(v, "knowledge-score")}};
  s["tasks"] = tasks;
  json attacks = json::object();
  const json* mia = field(m, "mia_attacks");
  const json* auc = mia ? field(*mia, "auc") : nullptr;
  if (auc)
    for (auto& [k, v] : auc->items())
      if (v.is_number()) attacks[k] = r4(v.get<double>());
  s["mia_attacks"] = attacks;
  json leak = json::object();  // PrivLeak per statistic (eval run --mia-reference)
  const json* pl = mia ? field(*mia, "privleak") : nullptr;
  if (pl)
    for (auto& [k, v] : pl->items())
      if (v.is_number()) leak[k] = r4(v.get<double>());
  s["privleak"] = leak;
  json tr = json::object();  // TOFU's truth ratio, where the rows carried the answers
  if (const json* t = field(m, "truth_ratio"))
    for (const char* sp : {"forget", "retain"})
      if (const json* v = field(*t, sp)) tr[sp] = float_at(*v, "value");
  s["truth_ratio"] = tr;
  return s;
}

// A folder holding metrics.json, or a run folder holding eval/metrics.json; "" if neither.
std::string find_eval_dir(const std::string& dir) {
  if (path_exists(dir + "/metrics.json")) return dir;
  if (path_exists(dir + "/eval/metrics.json")) return dir + "/eval";
  return "";
}

json read_eval(const std::string& eval_dir, json& notes) {
  json m = read_json_opt(eval_dir + "/metrics.json", notes);
  return m.is_object() ? eval_summary(m, eval_dir) : json(nullptr);
}

struct Series {
  std::vector<int64_t> steps;
  std::vector<double> values;
};

bool plotted_key(const std::string& k) {
  static const std::set<std::string> skip = {"step", "lr", "elapsed_s", "tokens", "validation"};
  return !skip.count(k);
}

void add_points(const json& obj, std::map<std::string, Series>& out) {
  const json* st = field(obj, "step");
  if (!st || !st->is_number()) return;
  for (auto& [k, v] : obj.items()) {
    if (!plotted_key(k) || !v.is_number() || !std::isfinite(v.get<double>())) continue;
    out[k].steps.push_back(st->get<int64_t>());
    out[k].values.push_back(v.get<double>());
  }
}

// Evenly thinned to at most max_points, first and last kept.
json curve_json(const Series& s, int max_points) {
  const size_t n = s.values.size(), m = std::min<size_t>(n, size_t(std::max(2, max_points)));
  json steps = json::array(), values = json::array();
  for (size_t i = 0; i < m; ++i) {
    size_t idx = m == 1 ? 0 : i * (n - 1) / (m - 1);
    steps.push_back(s.steps[idx]);
    values.push_back(r4(s.values[idx]));
  }
  return {{"steps", steps}, {"values", values}, {"points", n},
          {"first", r4(s.values.front())}, {"last", r4(s.values.back())},
          {"min", r4(*std::min_element(s.values.begin(), s.values.end()))}};
}

json read_curves(const std::string& path, int max_points, json& notes) {
  std::map<std::string, Series> series;
  for (const json& line : read_jsonl_opt(path, notes)) {
    const json* val = field(line, "validation");
    add_points(val ? *val : line, series);
  }
  json curves = json::object();
  for (auto& [k, s] : series) curves[k] = curve_json(s, max_points);
  return curves;
}

double row_score(const json& row) {
  for (const char* k : {"score", "regurgitation-score"}) {
    const json* v = field(row, k);
    if (v && v->is_number()) return v->get<double>();
  }
  return NAN;
}

// The forget sentence-completion rows with the highest ROUGE-L recall.
json read_leaks(const std::string& path, int top, json& notes) {
  std::vector<std::pair<double, const json*>> sc;
  std::vector<json> rows = read_jsonl_opt(path, notes);
  for (const json& r : rows)
    if (str_at(r, "split") == "forget" && str_at(r, "type") == "sc" && std::isfinite(row_score(r)))
      sc.push_back({row_score(r), &r});
  std::stable_sort(sc.begin(), sc.end(), [](auto& a, auto& b) { return a.first > b.first; });
  json out = json::array();
  for (size_t i = 0; i < sc.size() && int(i) < top; ++i) {
    const json& r = *sc[i].second;
    out.push_back({{"id", str_at(r, "id")}, {"task", str_at(r, "task")}, {"score", r4(sc[i].first)},
                   {"input", str_at(r, "input")}, {"output", str_at(r, "output")},
                   {"generation", str_at(r, "generation")}});
  }
  return {{"forget_sc_rows", sc.size()}, {"rows", out}};
}

json read_phase1(const json& run) {
  const json* p = field(run, "phase1");
  if (!p || !p->is_object()) return nullptr;
  json out = json::object();
  for (const char* k : {"forget_loss_before", "forget_loss_after", "retain_loss_before", "retain_loss_after"})
    out[k] = float_at(*p, k);
  return out;
}

// The calibration of a run (unlearn --holdout): τ, the best state's validation MIA score and
// AUC, the phase-1 step size, and why training stopped. Null fields when absent.
json read_calibration(const json& run) {
  const json* c = field(run, "calibration");
  const json* best = field(run, "best");
  const json* p1 = field(run, "phase1");
  json out = {{"tau", c ? float_at(*c, "tau") : json(nullptr)},
              {"best_rule", str_at(run, "best_rule", "")},
              {"best_mia_score", best ? float_at(*best, "mia_score") : json(nullptr)},
              {"best_auc", best ? float_at(*best, "auc") : json(nullptr)},
              {"phase1_lr", p1 ? float_at(*p1, "lr") : json(nullptr)},
              {"phase1_gap_closed", p1 ? float_at(*p1, "gap_closed") : json(nullptr)}};
  const json* so = field(run, "stopped_by_overshoot");
  const json* sb = field(run, "stopped_by_budget");
  const json* su = field(run, "stopped_by_utility");
  auto yes = [](const json* f) { return f && f->is_boolean() && f->get<bool>(); };
  out["stop"] = yes(so) ? "overshoot" : yes(su) ? "utility guard" : yes(sb) ? "time budget" : "end of plan";
  const json* w = c ? field(*c, "warnings") : nullptr;
  out["warnings"] = w && w->is_array() ? *w : json::array();
  return out;
}

// ------------------------------------------------------------ robustness (attacks.json)

json rounded_fields(const json& obj, std::initializer_list<const char*> keys) {
  json out = json::object();
  for (const char* k : keys) out[k] = float_at(obj, k);
  return out;
}

json read_relearn(const json& r) {
  json curves = json::object();
  if (const json* c = field(r, "curves"))
    for (auto& [who, pts] : c->items()) {
      json out = json::array();
      for (const json& p : pts) {
        json q = rounded_fields(p, {"score", "knowledge", "regurgitation", "nll"});
        q["step"] = int_at(p, "step");
        out.push_back(q);
      }
      curves[who] = out;
    }
  json rec = json::object();
  if (const json* c = field(r, "recovery"))
    for (auto& [who, v] : c->items()) {
      rec[who] = rounded_fields(v, {"headline", "score", "knowledge", "regurgitation", "nll"});
      rec[who]["headline_kind"] = str_at(v, "headline_kind", "?");
    }
  return {{"steps", int_at(r, "steps")}, {"lr", float_at(r, "lr")}, {"fraction", float_at(r, "fraction")},
          {"probe_rows", int_at(r, "probe_rows")}, {"curves", curves}, {"recovery", rec}};
}

json read_quantize(const json& q) {
  json v = json::object();
  if (const json* vs = field(q, "variants"))
    for (auto& [name, m] : vs->items()) {
      json out = rounded_fields(m, {"task_aggregate", "forget_knowledge", "forget_regurgitation", "mia_auc"});
      const json fk = out["forget_knowledge"], fr = out["forget_regurgitation"];
      out["forget_score"] = fk.is_number() && fr.is_number() ? r4((fk.get<double>() + fr.get<double>()) / 2) : json(nullptr);
      v[name] = out;
    }
  return {{"group_size", int_at(q, "group_size")}, {"variants", v}};
}

json read_paraphrase(const json& p) {
  json out = json::object();
  if (const json* ms = field(p, "models"))
    for (auto& [who, per] : ms->items())
      for (auto& [tmpl, v] : per.items()) {
        const json* f = field(v, "forget");
        out[who][tmpl] = f ? float_at(*f, "knowledge") : json(nullptr);
      }
  return out;
}

// eval/attacks.json of a run (from `eval run --attacks` or `eval attack --out RUN/eval`).
json read_robustness(const std::string& path, json& notes) {
  if (!path_exists(path)) return nullptr;
  json a = read_json_opt(path, notes);
  if (!a.is_object()) return nullptr;
  json r = json::object();
  if (const json* x = field(a, "relearn")) r["relearn"] = read_relearn(*x);
  if (const json* x = field(a, "quantize")) r["quantize"] = read_quantize(*x);
  if (const json* x = field(a, "paraphrase")) r["paraphrase"] = read_paraphrase(*x);
  return r;
}

// The settings that decide a comparison (issue #23: every run of a comparison prints them):
// preset, optimizer and learning rate (the --auto winner when searched), adapter, selection,
// step and time budget, from run.json's resolved options.
std::string run_settings(const json& run) {
  const json* o = field(run, "options");
  if (!o || !o->is_object()) return "";
  auto opt = [&](const char* k) -> std::string {
    if (!o->contains(k) || (*o)[k].is_null()) return "";
    const json& v = (*o)[k];
    return v.is_string() ? v.get<std::string>() : v.dump();
  };
  std::string lr = opt("lr");
  if (const json* a = field(run, "auto"))
    if (a->is_object() && a->contains("winner_lr")) lr = cat((*a)["winner_lr"].get<double>(), " (--auto of ", (*a)["grid"].size(), ")");
  std::string s = cat("preset ", opt("preset"), ", ", opt("optimizer"), " lr ", lr, ", LoRA r ", opt("lora-r"), " \u03b1 ",
                      opt("lora-alpha"), " on ", opt("lora-targets"), ", best ", opt("best"), ", retain ratio ",
                      opt("retain-ratio"), ", epochs ", opt("epochs"));
  if (opt("max-steps") != "" && opt("max-steps") != "0") s += ", max steps " + opt("max-steps");
  if (opt("time-budget") != "" && opt("time-budget") != "0.0") s += ", time budget " + opt("time-budget") + " s";
  return s;
}

json collect_run(const std::string& dir, const std::string& name, const ReportOptions& opt, json& notes) {
  json r = {{"name", name}, {"dir", dir}};
  json run = read_json_opt(dir + "/run.json", notes);
  const json* best = field(run, "best");
  r["method"] = str_at(run, "method", "?");
  r["objective"] = str_at(run, "objective", "?");
  r["settings"] = run_settings(run);
  r["steps_done"] = int_at(run, "steps_done");
  r["total_steps"] = int_at(run, "total_steps");
  r["wall_s"] = float_at(run, "wall_s");
  r["best_step"] = best ? int_at(*best, "step") : json(nullptr);
  r["phase1"] = read_phase1(run);
  r["calibration"] = read_calibration(run);
  r["curves"] = read_curves(dir + "/metrics.jsonl", opt.max_curve_points, notes);
  r["eval"] = read_eval(dir + "/eval", notes);
  r["leaks"] = read_leaks(dir + "/eval/rows.jsonl", opt.top_leaks, notes);
  r["robustness"] = read_robustness(dir + "/eval/attacks.json", notes);
  return r;
}

std::string run_name(const std::string& dir, std::set<std::string>& used) {
  std::string base = std::filesystem::path(dir).lexically_normal().filename().string();
  if (base.empty() || base == ".") base = std::filesystem::path(dir).lexically_normal().parent_path().filename().string();
  if (base.empty()) base = "run";
  std::string name = base;
  for (int i = 2; used.count(name); ++i) name = cat(base, " (", i, ")");
  used.insert(name);
  return name;
}

}  // namespace

std::string report_number(const json& v) {
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) return fixed(v.get<double>(), 4);
  return "n/a";
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

json collect_report(const ReportOptions& opt) {
  if (opt.run_dirs.empty())
    fail("report needs at least one run folder", "usage: libu report RUN_DIR... --out report.html");
  json notes = json::array();
  json before = nullptr;
  if (!opt.before_dir.empty()) {
    if (!is_directory(opt.before_dir))
      fail(cat("--before ", opt.before_dir, ": not a folder"), "give the `libu eval run` output folder of the model before unlearning");
    std::string d = find_eval_dir(opt.before_dir);
    if (d.empty()) notes.push_back(cat(opt.before_dir, ": no metrics.json (nor eval/metrics.json); before numbers skipped"));
    else before = read_eval(d, notes);
  } else {
    notes.push_back("no --before evaluation given: bars show the runs after unlearning only");
  }
  json runs = json::array();
  std::set<std::string> used;
  for (const std::string& dir : opt.run_dirs) {
    if (!is_directory(dir))
      fail(cat(dir, ": not a folder"), "give the output folders of `libu unlearn` (run.json, metrics.jsonl, eval/)");
    runs.push_back(collect_run(dir, run_name(dir, used), opt, notes));
  }
  return {{"format", "libu-report-v1"}, {"notes", notes}, {"before", before}, {"runs", runs}};
}

}  // namespace libu::eval
