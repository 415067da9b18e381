// libu/eval/report.cpp — see report.h. Reading (run folders -> report.json) first, then
// the SVG charts, the HTML page and the plain-text table.
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

namespace libu::eval {

using nlohmann::json;

namespace {

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

std::string str_at(const json& j, const char* key, const std::string& dflt = "") {
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

json collect_run(const std::string& dir, const std::string& name, const ReportOptions& opt, json& notes) {
  json r = {{"name", name}, {"dir", dir}};
  json run = read_json_opt(dir + "/run.json", notes);
  const json* best = field(run, "best");
  r["method"] = str_at(run, "method", "?");
  r["objective"] = str_at(run, "objective", "?");
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

// ==================================================================== SVG charts

namespace {

const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
const char* kBeforeColor = "#9e9e9e";

std::string color_of(size_t i) { return kPalette[i % (sizeof kPalette / sizeof *kPalette)]; }

struct Axis {
  double lo = 0, hi = 1, step = 0.2;
  int ticks() const { return int(std::lround((hi - lo) / step)); }
};

Axis nice_axis(double lo, double hi, bool integer) {
  if (!(hi > lo)) {
    double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo -= pad, hi += pad;
  }
  double raw = (hi - lo) / 5, mag = std::pow(10.0, std::floor(std::log10(raw))), f = raw / mag;
  double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  if (integer) step = std::max(step, 1.0);
  return {std::floor(lo / step) * step, std::ceil(hi / step) * step, step};
}

std::string tick_label(double v, double step) {
  int dec = std::clamp(int(-std::floor(std::log10(step) + 1e-9)), 0, 6);
  return fixed(std::fabs(v) < step * 1e-6 ? 0.0 : v, dec);
}

struct Frame {  // pixel box of the plot area inside a W×H svg
  double w, h, left, right, top, bottom;
  double x(const Axis& a, double v) const { return left + (v - a.lo) / (a.hi - a.lo) * (right - left); }
  double y(const Axis& a, double v) const { return bottom - (v - a.lo) / (a.hi - a.lo) * (bottom - top); }
};

std::string px(double v) { return fixed(v, 1); }

std::string svg_open(const Frame& f, const std::string& label) {
  return cat("<svg width=\"", px(f.w), "\" height=\"", px(f.h), "\" viewBox=\"0 0 ", px(f.w), " ", px(f.h),
             "\" role=\"img\" aria-label=\"", html_escape(label), "\">\n<rect x=\"", px(f.left), "\" y=\"",
             px(f.top), "\" width=\"", px(f.right - f.left), "\" height=\"", px(f.bottom - f.top),
             "\" fill=\"#fcfcfc\" stroke=\"#999\"/>\n");
}

std::string y_axis(const Frame& f, const Axis& a) {
  std::string s;
  for (int i = 0; i <= a.ticks(); ++i) {
    double v = a.lo + i * a.step, y = f.y(a, v);
    s += cat("<line x1=\"", px(f.left), "\" y1=\"", px(y), "\" x2=\"", px(f.right), "\" y2=\"", px(y),
             "\" stroke=\"#e4e4e4\"/><text x=\"", px(f.left - 5), "\" y=\"", px(y + 4),
             "\" text-anchor=\"end\">", tick_label(v, a.step), "</text>\n");
  }
  return s;
}

std::string x_axis(const Frame& f, const Axis& a, const std::string& label) {
  std::string s;
  for (int i = 0; i <= a.ticks(); ++i) {
    double v = a.lo + i * a.step, x = f.x(a, v);
    s += cat("<line x1=\"", px(x), "\" y1=\"", px(f.bottom), "\" x2=\"", px(x), "\" y2=\"", px(f.bottom + 4),
             "\" stroke=\"#666\"/><text x=\"", px(x), "\" y=\"", px(f.bottom + 16), "\" text-anchor=\"middle\">",
             tick_label(v, a.step), "</text>\n");
  }
  s += cat("<text x=\"", px((f.left + f.right) / 2), "\" y=\"", px(f.h - 4), "\" text-anchor=\"middle\">",
           html_escape(label), "</text>\n");
  return s;
}

constexpr double kLegendItemW = 170, kLegendRowH = 16;

int legend_rows(size_t n, double width) {
  int per_row = std::max(1, int((width - 20) / kLegendItemW));
  return int((n + size_t(per_row) - 1) / size_t(per_row));
}

std::string legend(const std::vector<std::pair<std::string, std::string>>& items, double width) {
  int per_row = std::max(1, int((width - 20) / kLegendItemW));
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) {
    double x = 10 + double(i % size_t(per_row)) * kLegendItemW, y = 14 + double(i / size_t(per_row)) * kLegendRowH;
    s += cat("<rect x=\"", px(x), "\" y=\"", px(y - 8), "\" width=\"14\" height=\"8\" fill=\"", items[i].second,
             "\"/><text x=\"", px(x + 18), "\" y=\"", px(y), "\">", html_escape(clip_text(items[i].first, 24)),
             "</text>\n");
  }
  return s;
}

struct LineSeries {
  std::string name, color;
  std::vector<double> x, y;
};

std::string polyline(const Frame& f, const Axis& ax, const Axis& ay, const LineSeries& s) {
  std::string pts;
  for (size_t i = 0; i < s.x.size(); ++i) pts += cat(i ? " " : "", px(f.x(ax, s.x[i])), ",", px(f.y(ay, s.y[i])));
  std::string out = cat("<polyline fill=\"none\" stroke=\"", s.color, "\" stroke-width=\"1.6\" points=\"", pts,
                        "\"><title>", html_escape(s.name), "</title></polyline>\n");
  if (s.x.size() == 1)
    out += cat("<circle cx=\"", px(f.x(ax, s.x[0])), "\" cy=\"", px(f.y(ay, s.y[0])), "\" r=\"3\" fill=\"",
               s.color, "\"/>\n");
  return out;
}

std::string svg_line_chart(const std::string& label, const std::vector<LineSeries>& series) {
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (auto& s : series)
    for (size_t i = 0; i < s.x.size(); ++i)
      xlo = std::min(xlo, s.x[i]), xhi = std::max(xhi, s.x[i]), ylo = std::min(ylo, s.y[i]), yhi = std::max(yhi, s.y[i]);
  const double w = 560, top = 14 + kLegendRowH * legend_rows(series.size(), w);
  Frame f{w, top + 250, 64, w - 16, top, top + 250 - 40};
  Axis ax = nice_axis(xlo, xhi, true), ay = nice_axis(ylo, yhi, false);
  std::vector<std::pair<std::string, std::string>> items;
  for (auto& s : series) items.push_back({s.name, s.color});
  std::string svg = svg_open(f, label) + y_axis(f, ay) + x_axis(f, ax, "step") + legend(items, w);
  for (auto& s : series) svg += polyline(f, ax, ay, s);
  return svg + "</svg>\n";
}

struct BarGroup {
  std::string label;
  std::vector<json> values;  // one per series; null = missing
};

std::string bar(const Frame& f, const Axis& a, double x, double bw, const std::string& who, const BarGroup& g,
                const json& v, const std::string& color) {
  if (!v.is_number())
    return cat("<text x=\"", px(x + bw / 2), "\" y=\"", px(f.bottom - 3), "\" text-anchor=\"middle\" class=\"na\">-</text>\n");
  double y = f.y(a, std::clamp(v.get<double>(), a.lo, a.hi)), ty = y - 3;
  return cat("<rect x=\"", px(x), "\" y=\"", px(y), "\" width=\"", px(bw - 2), "\" height=\"", px(f.bottom - y),
             "\" fill=\"", color, "\"><title>", html_escape(who), " \u00b7 ", html_escape(g.label), ": ",
             report_number(v), "</title></rect><text class=\"bv\" x=\"", px(x + bw / 2 + 3), "\" y=\"", px(ty),
             "\" transform=\"rotate(-90 ", px(x + bw / 2 + 3), " ", px(ty), ")\">", report_number(v), "</text>\n");
}

std::string svg_bar_chart(const std::string& label, const std::vector<std::pair<std::string, std::string>>& series,
                          const std::vector<BarGroup>& groups) {
  const double bw = 18, gap = 28, group_w = bw * double(series.size()) + gap;
  const double w = std::max(560.0, 64 + group_w * double(groups.size()) + 16);
  const double top = 14 + kLegendRowH * legend_rows(series.size(), w) + 44;
  Frame f{w, top + 240, 64, w - 16, top, top + 240 - 40};
  Axis a{0, 1, 0.2};
  std::string svg = svg_open(f, label) + y_axis(f, a) + legend(series, w);
  for (size_t g = 0; g < groups.size(); ++g) {
    double x0 = f.left + gap / 2 + double(g) * group_w;
    for (size_t s = 0; s < series.size(); ++s)
      svg += bar(f, a, x0 + double(s) * bw, bw, series[s].first, groups[g], groups[g].values[s], series[s].second);
    svg += cat("<text x=\"", px(x0 + bw * double(series.size()) / 2), "\" y=\"", px(f.bottom + 16),
               "\" text-anchor=\"middle\">", html_escape(groups[g].label), "</text>\n");
  }
  return svg + "</svg>\n";
}

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
                        "forget_knowledge", "retain_regurgitation", "retain_knowledge", "mmlu", "general_nll"})
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
                       "forget knowl.", "retain regurg.", "retain knowl.", "MMLU", "never-seen NLL", "steps", "wall s"},
                      rows, "cmp")) +
         "<p class=\"hint\">Forget columns are raw means (lower is better); the task aggregate inverts them. "
         "MIA score = 1 \u2212 2\u00b7|AUC \u2212 0.5| (1 is best). Never-seen NLL: mean NLL of the "
         "<code>eval run --general</code> documents; a rise over <i>before</i> means the model got worse at all "
         "text, not only at the forget set.</p>" + warnings_note(report) + "</section>\n";
}

std::string training_section(const json& report) {
  std::vector<std::string> rows;
  for (const json& r : report["runs"])
    rows.push_back(cat(td_text(r["name"].get<std::string>()), td_text(r["method"].get<std::string>()),
                       td_text(r["objective"].get<std::string>()), steps_cell(r), td(r["best_step"]),
                       td(r["wall_s"]), phase1_cell(r["phase1"], "forget_loss_before", "forget_loss_after"),
                       phase1_cell(r["phase1"], "retain_loss_before", "retain_loss_after"),
                       calibration_cells(r["calibration"])));
  return "<section id=\"training\"><h2>Runs</h2>\n" +
         scroll(table({"run", "method", "objective", "steps", "best step", "wall s", "phase 1 forget loss",
                       "phase 1 retain loss", "phase 1 \u03b7\u2081", "best rule", "holdout \u03c4",
                       "best val. MIA score", "best val. AUC", "stopped by"},
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
  std::vector<std::string> task_cols, attack_cols;
  for (auto& e : evals) {
    for (auto& [k, v] : (*e.summary)["tasks"].items())
      if (std::find(task_cols.begin(), task_cols.end(), k) == task_cols.end()) task_cols.push_back(k);
    for (auto& [k, v] : (*e.summary)["mia_attacks"].items())
      if (std::find(attack_cols.begin(), attack_cols.end(), k) == attack_cols.end()) attack_cols.push_back(k);
  }
  if (evals.empty()) return "";
  std::vector<std::string> head = {"evaluation"}, rows;
  for (auto& t : task_cols) head.push_back(t + " regurg."), head.push_back(t + " knowl.");
  for (auto& a : attack_cols) head.push_back("MIA AUC " + a);
  for (auto& e : evals) {
    std::string r = td_text(e.name);
    const json& tasks = (*e.summary)["tasks"];
    for (auto& t : task_cols)
      r += tasks.contains(t) ? td(tasks[t]["regurgitation"]) + td(tasks[t]["knowledge"]) : "<td>-</td><td>-</td>";
    for (auto& a : attack_cols) r += td(eval_num((*e.summary)["mia_attacks"], a.c_str()));
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
