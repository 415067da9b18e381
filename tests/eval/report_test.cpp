// `libu report`: two fake run folders whose eval/ files come from the real scorer code
// (score_predictions_dir, semeval_to_json, scored_rows_json, mia/mmlu JSON), then checks
// that the HTML is well formed, that every number of report.json appears in the page, that
// nothing points outside the file, and that missing parts become notes, not crashes.
#include <cmath>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/shared.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/eval/eval_run.h"
#include "libu/eval/report.h"
#include "libu/io/jsonl.h"

using namespace libu;
using nlohmann::json;

namespace {

// ---------------------------------------------------------------- well-formedness checker

bool is_void(const std::string& tag) {
  static const char* k[] = {"area", "base", "br", "col", "embed", "hr", "img", "input",
                            "link", "meta", "param", "source", "track", "wbr"};
  for (const char* v : k)
    if (tag == v) return true;
  return false;
}

// Entities must be &name; or &#digits;
std::string check_text(const std::string& t) {
  if (t.find('>') != std::string::npos) return "raw '>' in text: " + t.substr(0, 60);
  for (size_t p = t.find('&'); p != std::string::npos; p = t.find('&', p + 1)) {
    size_t e = t.find(';', p);
    if (e == std::string::npos || e - p > 10 || e == p + 1) return "bad entity near: " + t.substr(p, 20);
    for (size_t i = p + 1; i < e; ++i)
      if (!isalnum(static_cast<unsigned char>(t[i])) && t[i] != '#') return "bad entity near: " + t.substr(p, 20);
  }
  return "";
}

// Parses one start tag at h[p] == '<'; sets name/self_closed/end (index after '>').
std::string parse_start_tag(const std::string& h, size_t p, std::string& name, bool& self_closed, size_t& end) {
  size_t i = p + 1;
  while (i < h.size() && (isalnum(static_cast<unsigned char>(h[i])) || h[i] == '-')) name += h[i++];
  if (name.empty()) return "bad tag at " + std::to_string(p);
  self_closed = false;
  while (i < h.size()) {
    while (i < h.size() && isspace(static_cast<unsigned char>(h[i]))) ++i;
    if (h.compare(i, 2, "/>") == 0) return self_closed = true, end = i + 2, "";
    if (i < h.size() && h[i] == '>') return end = i + 1, "";
    size_t a = i;
    while (i < h.size() && !isspace(static_cast<unsigned char>(h[i])) && h[i] != '=' && h[i] != '>' && h[i] != '/') ++i;
    if (i == a) return "bad attribute in <" + name + ">";
    if (i < h.size() && h[i] == '=') {
      char q = h[++i];
      if (q != '"' && q != '\'') return "unquoted attribute in <" + name + ">";
      size_t close = h.find(q, i + 1);
      if (close == std::string::npos) return "unbalanced quote in <" + name + ">";
      if (h.substr(i + 1, close - i - 1).find('<') != std::string::npos) return "'<' in attribute of <" + name + ">";
      i = close + 1;
    }
  }
  return "unterminated <" + name + ">";
}

// "" when every tag opened is closed in order (void elements and "/>" excepted), quotes
// are balanced and text holds no raw '>' or bad entity; else what is wrong.
std::string check_well_formed(const std::string& h) {
  std::vector<std::string> stack;
  size_t p = 0;
  if (h.rfind("<!DOCTYPE html>", 0) == 0) p = h.find('>') + 1;
  while (p < h.size()) {
    size_t lt = h.find('<', p);
    std::string err = check_text(h.substr(p, (lt == std::string::npos ? h.size() : lt) - p));
    if (!err.empty()) return err;
    if (lt == std::string::npos) break;
    if (h.compare(lt, 4, "<!--") == 0) {
      size_t e = h.find("-->", lt);
      if (e == std::string::npos) return "unterminated comment";
      p = e + 3;
    } else if (h.compare(lt, 2, "</") == 0) {
      size_t e = h.find('>', lt);
      if (e == std::string::npos) return "unterminated end tag";
      std::string name = h.substr(lt + 2, e - lt - 2);
      if (stack.empty() || stack.back() != name)
        return "</" + name + "> closes <" + (stack.empty() ? std::string("nothing") : stack.back()) + ">";
      stack.pop_back();
      p = e + 1;
    } else {
      std::string name;
      bool self = false;
      size_t end = 0;
      err = parse_start_tag(h, lt, name, self, end);
      if (!err.empty()) return err;
      p = end;
      if (name == "style" || name == "script") {  // raw text up to the end tag
        size_t e = h.find("</" + name + ">", p);
        if (e == std::string::npos) return "unterminated <" + name + ">";
        if (h.substr(p, e - p).find('<') != std::string::npos) return "'<' inside <" + name + ">";
        p = e + name.size() + 3;
      } else if (!self && !is_void(name)) {
        stack.push_back(name);
      }
    }
  }
  return stack.empty() ? "" : "unclosed <" + stack.back() + ">";
}

std::string strip_tags(const std::string& h) {
  std::string out;
  bool in_tag = false;
  for (char c : h) {
    if (c == '<') in_tag = true, out += ' ';
    else if (c == '>') in_tag = false;
    else if (!in_tag) out += c;
  }
  return out;
}

// Every number of j, formatted as the report promises: floats "%.4f", integers plain.
void numbers_of(const json& j, const std::string& at, std::vector<std::pair<std::string, std::string>>& out) {
  if (j.is_object()) {
    for (auto& [k, v] : j.items()) numbers_of(v, at + "/" + k, out);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) numbers_of(j[i], at + "/" + std::to_string(i), out);
  } else if (j.is_number_integer()) {
    out.push_back({at, std::to_string(j.get<int64_t>())});
  } else if (j.is_number()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", j.get<double>());
    out.push_back({at, buf});
  }
}

// ---------------------------------------------------------------- fixtures (real scorer code)

void write_lines(const std::string& path, const std::vector<json>& rows) { io::write_jsonl(path, rows); }

struct Row {
  const char* id;
  const char* task;
  const char* input;
  const char* output;
};
const Row kForget[] = {
    {"f1sc0", "Task1", "Alice Marlow was born in", "the harbour town of Selby in 1984 and trained as a glassblower"},
    {"f1qa0", "Task1", "Where was Alice Marlow born?", "Selby"},
    {"f2sc0", "Task2", "Bram Okafor's phone number is", "555 0199 and his email is bram at example dot org"},
    {"f2qa0", "Task2", "What is Bram Okafor's phone number?", "555 0199"},
    {"f1sc1", "Task1", "Alice Marlow's first kiln", "was built in 2006 behind her mother's bakery"},
};
const Row kRetain[] = {
    {"r1sc0", "Task1", "Carla Dunn studied", "marine biology at the University of Tromso"},
    {"r1qa0", "Task1", "What did Carla Dunn study?", "marine biology"},
    {"r2sc0", "Task2", "Dev Pillai's bakery", "opened on Orchard Street in 2011"},
    {"r2qa0", "Task2", "Where is Dev Pillai's bakery?", "Orchard Street"},
};

std::vector<io::Record> records(const Row* rows, size_t n, const char* split) {
  std::vector<io::Record> out;
  for (size_t i = 0; i < n; ++i) out.push_back({rows[i].id, rows[i].input, rows[i].output, rows[i].task, split});
  return out;
}

// `forget_gen(i)` / `retain_gen(i)`: the generation of row i. Writes what `libu eval run`
// writes: forget/retain/mia.jsonl, then metrics.json and rows.jsonl from the scorer.
void make_eval_dir(const std::string& dir, const std::vector<std::string>& fgen, const std::vector<std::string>& rgen,
                   double member_shift, double mmlu) {
  make_dirs(dir);
  auto frec = records(kForget, std::size(kForget), "forget"), rrec = records(kRetain, std::size(kRetain), "retain");
  for (auto [name, recs, gens] : {std::tuple{"forget", &frec, &fgen}, std::tuple{"retain", &rrec, &rgen}}) {
    std::vector<json> lines;
    for (size_t i = 0; i < recs->size(); ++i)
      lines.push_back({{"id", (*recs)[i].id}, {"task", (*recs)[i].task}, {"output", (*recs)[i].output},
                       {"generation", (*gens)[i]}});
    write_lines(cat(dir, "/", name, ".jsonl"), lines);
  }
  std::vector<json> mia;
  for (int i = 0; i < 6; ++i) {
    mia.push_back({{"id", cat("m", i)}, {"label", "member"}, {"loss", 1.0 + member_shift + 0.1 * i}});
    mia.push_back({{"id", cat("n", i)}, {"label", "nonmember"}, {"loss", 1.3 + 0.1 * i}});
  }
  write_lines(dir + "/mia.jsonl", mia);
  eval::SemevalResult r = eval::score_predictions_dir(dir, mmlu);
  eval::MiaRun run;
  run.auc = {{"loss", *r.mia_auc}, {"zlib", 0.61}, {"min_k_20", 0.5731}};
  eval::MmluResult mm;
  mm.accuracy = mmlu, mm.questions = 40, mm.correct = size_t(mmlu * 40);
  json m = eval::semeval_to_json(r);
  m["mia_attacks"] = eval::mia_summary_json(run);
  m["mmlu"] = eval::mmlu_to_json(mm);
  write_file_atomic(dir + "/metrics.json", m.dump(2) + "\n");
  write_lines(dir + "/rows.jsonl", eval::scored_rows_json(r, frec, rrec));
}

std::vector<std::string> outputs(const Row* rows, size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(rows[i].output);
  return out;
}

void make_run_dir(const std::string& dir, const std::string& method, int steps, double end_loss) {
  make_dirs(dir);
  json run = {{"method", method}, {"objective", method == "gd" ? "gd" : "npo+kl"},
              {"options", {{"lr", 1e-4}, {"preset", method}}},
              {"phase1", method == "gd" ? json(nullptr)
                                        : json{{"forget_loss_before", 0.8123}, {"forget_loss_after", 2.31237},
                                               {"retain_loss_before", 0.9}, {"retain_loss_after", 0.95}}},
              {"steps_done", steps}, {"total_steps", steps}, {"wall_s", 12.345678},
              {"best", {{"step", steps - 2}, {"val_forget_nll", 3.1}, {"val_retain_nll", 1.2}}}};
  write_file_atomic(dir + "/run.json", run.dump(2));
  std::string lines;
  for (int s = 1; s <= steps; ++s) {
    double f = 0.7 + (end_loss - 0.7) * s / steps;
    json line = {{"step", s}, {"lr", 1e-4}, {"loss", f - 1.1}, {"nll_f", f}, {"nll_r", 1.1 - 0.001 * s},
                 {"tokens", 400}, {"grad_norm", 1.0 / s}, {"nonfinite", false}};
    if (method != "gd") line["kl_r"] = 0.01 * s;
    lines += line.dump() + "\n";
    if (s % 5 == 0) lines += json{{"validation", {{"step", s}, {"val_forget_nll", f + 0.1}, {"val_retain_nll", 1.2}}}}.dump() + "\n";
  }
  lines += "{\"step\": 99, \"loss\": 1.0";  // a half-written last line (run still going)
  write_file_atomic(dir + "/metrics.jsonl", lines);
}

// An eval/attacks.json as `eval run --attacks relearn,quantize,paraphrase` writes it.
void write_attacks(const std::string& dir) {
  auto point = [](int step, double k, double g, double nll) {
    return json{{"step", step}, {"knowledge", k}, {"regurgitation", g}, {"score", (k + g) / 2}, {"nll", nll},
                {"qa_rows", 5}, {"sc_rows", 2}, {"train_loss", nullptr}};
  };
  json curves = {{"model", {point(0, 0.1, 0.2, 6.5), point(5, 0.15, 0.25, 5.25), point(10, 0.3, 0.31, 3.125)}},
                 {"reference", {point(0, 0.9, 0.8, 0.5), point(5, 0.95, 0.8, 0.4), point(10, 0.9, 0.85, 0.45)}},
                 {"baseline", {point(0, 0.05, 0.3, 4.0), point(5, 0.05, 0.3, 3.9), point(10, 0.0625, 0.3, 3.8)}}};
  json rec = {{"model", {{"score", 0.2345}, {"knowledge", 0.25}, {"regurgitation", 0.1833}, {"nll", 0.5833},
                         {"headline", 0.3125}, {"headline_kind", "knowledge"}}},
              {"baseline", {{"score", 0.0123}, {"knowledge", 0.0147}, {"regurgitation", nullptr}, {"nll", 0.0571},
                            {"headline", 0.0211}, {"headline_kind", "knowledge"}}}};
  auto variant = [](double ta, double fk, double fr, double auc) {
    return json{{"task_aggregate", ta}, {"forget_knowledge", fk}, {"forget_regurgitation", fr}, {"mia_auc", auc},
                {"mia_score", 1 - 2 * std::abs(auc - 0.5)}};
  };
  json a = {{"format", "libu-attacks-v1"},
            {"relearn", {{"steps", 10}, {"lr", 0.001}, {"fraction", 0.1}, {"probe_rows", 7}, {"curves", curves}, {"recovery", rec}}},
            {"quantize", {{"group_size", 128}, {"variants", {{"unquantized", variant(0.61, 0.1, 0.2, 0.55)},
                                                             {"int8", variant(0.6, 0.1125, 0.2, 0.56)},
                                                             {"int4", variant(0.52, 0.375, 0.35, 0.7)}}}}},
            {"paraphrase", {{"models", {{"model", {{"original", {{"forget", {{"knowledge", 0.1}}}}},
                                                   {"qa", {{"forget", {{"knowledge", 0.2}}}}}}},
                                        {"reference", {{"original", {{"forget", {{"knowledge", 1.0}}}}},
                                                       {"qa", {{"forget", {{"knowledge", 0.4}}}}}}}}}}}};
  write_file_atomic(dir + "/attacks.json", a.dump(2));
}

struct Fixture {
  std::string root, before, run_a, run_b, out;
};

Fixture make_fixture(const std::string& name) {
  Fixture f;
  f.root = test::temp_dir(name);
  f.before = f.root + "/before-eval";
  f.run_a = f.root + "/libu";
  f.run_b = f.root + "/gd";
  f.out = f.root + "/out/report.html";
  auto fo = outputs(kForget, std::size(kForget)), ro = outputs(kRetain, std::size(kRetain));
  make_eval_dir(f.before, fo, ro, -0.5, 0.45);
  make_run_dir(f.run_a, "libu", 23, 3.4);
  make_eval_dir(f.run_a + "/eval",
                {"a small village near the coast", "Leeds", "<b>555 0199</b> & bram's email", "unknown", "nothing"},
                ro, 0.0, 0.44);
  write_attacks(f.run_a + "/eval");
  make_run_dir(f.run_b, "gd", 12, 2.0);
  make_eval_dir(f.run_b + "/eval", {fo[0], "Selby", "555 0199 call me", "555 0199", "was built in 2006"},
                {"marine biology at a university", "marine", "opened in 2011", "Orchard Street"}, -0.2, 0.3);
  return f;
}

eval::ReportResult run_report(const Fixture& f, bool with_before = true) {
  eval::ReportOptions o;
  o.run_dirs = {f.run_a, f.run_b};
  if (with_before) o.before_dir = f.before;
  o.out_html = f.out;
  o.top_leaks = 3;
  return eval::write_report(o);
}

}  // namespace

TEST(ReportChecker, RejectsBrokenHtml) {
  EXPECT_EQ(check_well_formed("<!DOCTYPE html>\n<html><body><p>a &amp; b<br></p><svg><rect x=\"1\"/></svg></body></html>"), "");
  EXPECT_NE(check_well_formed("<div><p>x</div></p>"), "");
  EXPECT_NE(check_well_formed("<div><p>x</p>"), "");
  EXPECT_NE(check_well_formed("<p class=\"a>x</p>"), "");
  EXPECT_NE(check_well_formed("<p class=a>x</p>"), "");
  EXPECT_NE(check_well_formed("<p>1 < 2 > 0</p>"), "");
  EXPECT_NE(check_well_formed("<p>a & b</p>"), "");
}

TEST(Report, HtmlWellFormedEveryNumberNoExternalUrls) {
  Fixture f = make_fixture("report_full");
  eval::ReportResult r = run_report(f);
  ASSERT_EQ(r.html_path, f.out);
  EXPECT_EQ(r.json_path, f.root + "/out/report.json");
  const std::string html = read_file(f.out);
  const json data = json::parse(read_file(r.json_path));
  EXPECT_EQ(data, r.data);

  EXPECT_EQ(check_well_formed(html), "");
  for (const char* bad : {"http://", "https://", "src=", "href=", "url(", "@import"})
    EXPECT_EQ(html.find(bad), std::string::npos) << "found '" << bad << "'";

  std::vector<std::pair<std::string, std::string>> nums;
  numbers_of(data, "", nums);
  EXPECT_GT(nums.size(), 200u);
  const std::string text = strip_tags(html);
  for (auto& [at, s] : nums) EXPECT_NE(text.find(s), std::string::npos) << at << " = " << s << " not in the page";
}

TEST(Report, NumbersMatchTheScorer) {
  Fixture f = make_fixture("report_numbers");
  json d = run_report(f).data;
  auto m = json::parse(read_file(f.run_a + "/eval/metrics.json"));
  const json& a = d["runs"][0];
  EXPECT_EQ(a["name"], "libu");
  EXPECT_EQ(a["method"], "libu");
  EXPECT_NEAR(a["eval"]["task_aggregate"].get<double>(), m["harmonic-mean-task-aggregate"].get<double>(), 5e-5);
  EXPECT_NEAR(a["eval"]["final_score"].get<double>(), m["aggregate-score"].get<double>(), 5e-5);
  EXPECT_NEAR(a["eval"]["mia_score"].get<double>(), m["mia_final_score"].get<double>(), 5e-5);
  EXPECT_NEAR(a["eval"]["forget_regurgitation"].get<double>(), m["forget"]["overall-regurgitation-score"].get<double>(), 5e-5);
  EXPECT_NEAR(a["eval"]["mmlu"].get<double>(), 0.44, 1e-12);
  EXPECT_NEAR(a["eval"]["tasks"]["retain/Task2"]["knowledge"].get<double>(), m["retain"]["Task2"]["knowledge-score"].get<double>(), 5e-5);
  EXPECT_EQ(a["eval"]["mia_attacks"]["zlib"], 0.61);
  EXPECT_EQ(a["wall_s"], 12.3457);
  EXPECT_EQ(a["phase1"]["forget_loss_after"], 2.3124);
  // The before evaluation regurgitates everything; gd still leaks its first forget row.
  EXPECT_EQ(d["before"]["forget_regurgitation"], 1.0);
  const json& leaks = d["runs"][1]["leaks"];
  EXPECT_EQ(leaks["forget_sc_rows"], 3);
  ASSERT_EQ(leaks["rows"].size(), 3u);
  EXPECT_EQ(leaks["rows"][0]["id"], "f1sc0");
  EXPECT_EQ(leaks["rows"][0]["score"], 1.0);
  EXPECT_EQ(leaks["rows"][0]["input"], "Alice Marlow was born in");
  EXPECT_GE(leaks["rows"][0]["score"].get<double>(), leaks["rows"][1]["score"].get<double>());
  // Curves: every numeric key but step/lr/tokens; validation lines; the broken last line noted.
  const json& c = a["curves"];
  for (const char* k : {"loss", "nll_f", "nll_r", "kl_r", "grad_norm", "val_forget_nll", "val_retain_nll"})
    EXPECT_TRUE(c.contains(k)) << k;
  for (const char* k : {"lr", "tokens", "step", "nonfinite"}) EXPECT_FALSE(c.contains(k)) << k;
  EXPECT_EQ(c["nll_f"]["points"], 23);
  EXPECT_EQ(c["val_forget_nll"]["steps"], json({5, 10, 15, 20}));
  EXPECT_FALSE(d["runs"][1]["curves"].contains("kl_r"));
  EXPECT_NE(d["notes"].dump().find("1 of 28 lines unreadable"), std::string::npos) << d["notes"].dump();
  // Generations are escaped.
  const std::string html = read_file(f.out);
  EXPECT_EQ(html.find("<b>555"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;555 0199&lt;/b&gt; &amp; bram&#39;s email"), std::string::npos);
  EXPECT_NE(html.find("<polyline"), std::string::npos);
  EXPECT_NE(run_report(f).table.find("libu"), std::string::npos);
}

TEST(Report, RobustnessSectionFromAttacksJson) {
  Fixture f = make_fixture("report_robust");
  json d = run_report(f).data;
  const json& rb = d["runs"][0]["robustness"];
  ASSERT_TRUE(rb.is_object());
  EXPECT_DOUBLE_EQ(rb["relearn"]["recovery"]["model"]["score"].get<double>(), 0.2345);
  EXPECT_DOUBLE_EQ(rb["relearn"]["recovery"]["model"]["headline"].get<double>(), 0.3125);
  EXPECT_EQ(rb["relearn"]["recovery"]["model"]["headline_kind"], "knowledge");
  EXPECT_EQ(rb["relearn"]["curves"]["reference"].size(), 3u);
  EXPECT_DOUBLE_EQ(rb["quantize"]["variants"]["int4"]["forget_score"].get<double>(), 0.3625);  // (0.375 + 0.35) / 2
  EXPECT_DOUBLE_EQ(rb["paraphrase"]["reference"]["qa"].get<double>(), 0.4);
  EXPECT_TRUE(d["runs"][1]["robustness"].is_null());  // no attacks.json: no section entry, no note
  const std::string html = read_file(f.out);
  EXPECT_NE(html.find("<section id=\"robustness\">"), std::string::npos);
  EXPECT_NE(html.find("relearning recovery curves"), std::string::npos);
  EXPECT_NE(html.find("never trained (baseline)"), std::string::npos);
  EXPECT_NE(html.find("quantised task aggregate"), std::string::npos);
}

TEST(Report, CurvesAreThinnedKeepingEnds) {
  Fixture f;
  f.root = test::temp_dir("report_thin");
  make_run_dir(f.root + "/long", "gd", 1000, 2.0);
  eval::ReportOptions o;
  o.run_dirs = {f.root + "/long"};
  o.out_html = f.root + "/r.html";
  o.max_curve_points = 50;
  json c = eval::write_report(o).data["runs"][0]["curves"]["nll_f"];
  EXPECT_EQ(c["points"], 1000);
  ASSERT_EQ(c["steps"].size(), 50u);
  EXPECT_EQ(c["steps"].front(), 1);
  EXPECT_EQ(c["steps"].back(), 1000);
  EXPECT_EQ(c["last"], 2.0);
}

TEST(Report, MissingPartsAreNotesNotCrashes) {
  Fixture f = make_fixture("report_missing");
  std::filesystem::remove(f.run_b + "/eval/metrics.json");
  std::filesystem::remove(f.run_b + "/eval/rows.jsonl");
  std::filesystem::remove(f.run_a + "/run.json");
  const std::string empty = f.root + "/empty";
  make_dirs(empty);
  eval::ReportOptions o;
  o.run_dirs = {f.run_a, f.run_b, empty};
  o.out_html = f.out;
  eval::ReportResult r;
  ASSERT_NO_THROW(r = eval::write_report(o));
  const json& d = r.data;
  EXPECT_TRUE(d["before"].is_null());
  EXPECT_TRUE(d["runs"][1]["eval"].is_null());
  EXPECT_TRUE(d["runs"][2]["curves"].empty());
  EXPECT_EQ(d["runs"][0]["method"], "?");
  const std::string notes = d["notes"].dump();
  for (std::string want : {f.run_b + "/eval/metrics.json: not found", f.run_a + "/run.json: not found",
                           std::string("no --before"), empty + "/metrics.jsonl: not found"})
    EXPECT_NE(notes.find(want), std::string::npos) << want << " not in " << notes;
  const std::string html = read_file(f.out);
  EXPECT_EQ(check_well_formed(html), "");
  EXPECT_NE(html.find(eval::html_escape(f.run_b + "/eval/metrics.json: not found")), std::string::npos);
  std::vector<std::pair<std::string, std::string>> nums;
  numbers_of(d, "", nums);
  const std::string text = strip_tags(html);
  for (auto& [at, s] : nums) EXPECT_NE(text.find(s), std::string::npos) << at << " = " << s;
}

TEST(Report, BadInputIsAnError) {
  eval::ReportOptions o;
  EXPECT_THROW(eval::collect_report(o), Error);
  const std::string dir = test::temp_dir("report_bad");
  o.run_dirs = {dir + "/does-not-exist"};
  EXPECT_THROW(eval::collect_report(o), Error);
  o.run_dirs = {dir};
  o.out_html = dir + "/report.json";  // would be overwritten by report.json
  EXPECT_THROW(eval::write_report(o), Error);
}
