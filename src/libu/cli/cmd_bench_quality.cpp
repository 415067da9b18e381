// libu bench quality — the real-text unlearning benchmark (docs/benchmark.md). Built only from
// the SemEval-2025 Task 4 parquet files (train + validation) and the MIA files, with no
// downloads:
//   1. the rows are grouped into documents, and the documents dealt once into three fixed
//      pools per task: memorised (forget/retain/validation candidates), unseen (never trained:
//      holdout, MIA non-members, general text) and pretraining (everything else, plus the MIA
//      files' Dolma non-member documents);
//   2. a byte-level BPE is trained and a tiny OLMo pretrained on the pretraining pool, so it
//      knows the language before it memorises anything;
//   3. the pretrained model memorises the memorised pool (full fine-tuning) while replaying
//      pretraining documents, as fine-tuning a real LLM on a few documents keeps its general
//      ability;
//   4. each draw deals the pools into roles by document (forget, retain, validation forget /
//      retain, holdout, MIA non-members, general, general-for-selection) and runs every method
//      from the same memorised model with the same adapter, selection, guard and time budget;
//   5. summary.json, summary.md and report.html hold a table per draw and the mean and spread.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/log.h"
#include "libu/core/rng.h"
#include "libu/core/timing.h"
#include "libu/data/documents.h"
#include "libu/eval/general_nll.h"
#include "libu/eval/report.h"
#include "libu/io/jsonl.h"
#include "libu/model/causal_lm.h"
#include "libu/model/runtime.h"
#include "libu/text/tokenizer.h"

namespace libu::cli {
namespace {

using nlohmann::json;
using DocList = std::vector<data::Document>;
const std::vector<std::string> kTasks = {"Task1", "Task2", "Task3"};

void run_step(const std::string& name, const std::vector<std::string>& args) {
  invoke_command(name, args, "bench quality");
}

// ---- data: documents, pools and roles ----

struct Pools {
  DocList memorised, unseen, pretrain;
  std::vector<std::string> dolma;  // the MIA files' non-member documents (pretraining text)
};

DocList load_documents_of(const std::string& data_dir) {
  std::vector<io::Record> rows;
  for (const char* split : {"forget", "retain", "forget_validation", "retain_validation"}) {
    auto part = io::load_split(data_dir, split);
    rows.insert(rows.end(), part.begin(), part.end());
  }
  size_t dropped = 0;
  auto docs = data::unique_documents(data::group_documents(rows), &dropped);
  log_info("bench quality: ", rows.size(), " rows in ", docs.size(), " documents from ", data_dir,
           dropped ? cat(" (", dropped, " duplicate documents dropped)") : "");
  return docs;
}

std::vector<data::RoleCount> memorised_roles(const Options& o) {
  return {{"forget", o.i64("forget-docs")}, {"retain", o.i64("retain-docs")},
          {"val_forget", o.i64("val-docs")}, {"val_retain", o.i64("val-docs")}};
}
std::vector<data::RoleCount> unseen_roles(const Options& o) {
  return {{"holdout", o.i64("holdout-docs")}, {"nonmember", o.i64("nonmember-docs")},
          {"general", o.i64("general-docs")}, {"general_val", o.i64("general-val-docs")}};
}
int64_t total(const std::vector<data::RoleCount>& r) {
  int64_t n = 0;
  for (auto& x : r) n += x.per_task;
  return n;
}

Pools make_pools(const Options& o) {
  std::string data_dir = o.str("data"), mia = o.has("mia") ? o.str("mia") : data_dir + "/mia";
  auto docs = load_documents_of(data_dir);
  auto pools = data::deal_roles(docs, {{"memorised", total(memorised_roles(o))}, {"unseen", total(unseen_roles(o))}},
                                kTasks, uint64_t(o.i64("seed")), "bench quality --data " + data_dir);
  Pools p{pools["memorised"], pools["unseen"], pools["rest"], {}};
  for (const char* f : {"/nonmember.jsonl", "/validation/nonmember.jsonl"})
    if (path_exists(mia + f))
      for (auto& d : io::load_documents(mia + f)) p.dolma.push_back(d);
  log_info("bench quality: pools per draw: memorised ", p.memorised.size(), ", unseen ", p.unseen.size(),
           ", pretraining ", p.pretrain.size(), " documents + ", p.dolma.size(), " MIA non-member documents");
  return p;
}

std::vector<io::Record> text_records(const DocList& docs, const std::string& prefix) {
  std::vector<io::Record> out;
  for (auto& d : docs) out.push_back({prefix + d.key, d.text(), "", d.task, "general"});
  return out;
}

void write_documents(const std::string& path, const DocList& docs) {
  std::vector<json> lines;
  for (auto& d : docs) lines.push_back({{"id", d.key}, {"task", d.task}, {"document", d.text()}});
  io::write_jsonl(path, lines);
}

// The pretraining corpus (documents as plain text records) and the tokenizer's training text.
std::vector<io::Record> write_pretraining(const Pools& p, const std::string& dir) {
  auto recs = text_records(p.pretrain, "pre-");
  for (size_t i = 0; i < p.dolma.size(); ++i) recs.push_back({cat("dolma-", i), p.dolma[i], "", "", "general"});
  io::write_records_jsonl(dir + "/pretrain.jsonl", recs);
  std::string corpus;
  for (auto& r : recs) corpus += r.input + "\n";
  for (auto& d : p.memorised) corpus += d.text() + "\n";
  write_file_atomic(dir + "/corpus.txt", corpus);
  return recs;
}

// What memorisation trains on, as one pass: `epochs` copies of every memorised row, and with
// each copy `replay` × (memorised documents) pretraining documents, taken in turn from a
// seeded order of the whole pretraining corpus. Each pretraining document is therefore seen
// a few times, not once per epoch: replay keeps general ability instead of being memorised
// itself (a fixed replay set of 108 documents was memorised along with the rest, and the
// never-seen NLL rose by 2 nats; docs/benchmark.md).
void write_memorisation(const Pools& p, const std::vector<io::Record>& pretrain, int64_t epochs, double replay,
                        const std::string& dir) {
  auto rows = data::rows_of(p.memorised);
  Rng rng(mix_seed(0x5e1ec7, pretrain.size()));
  auto perm = rng.permutation(int64_t(pretrain.size()));
  const size_t per_epoch = size_t(std::llround(replay * double(p.memorised.size())));
  std::vector<io::Record> out;
  size_t next = 0;
  for (int64_t e = 0; e < epochs; ++e) {
    out.insert(out.end(), rows.begin(), rows.end());
    for (size_t i = 0; i < per_epoch && !perm.empty(); ++i) out.push_back(pretrain[size_t(perm[next++ % perm.size()])]);
  }
  io::write_records_jsonl(dir + "/memorise.jsonl", out);
}

// --anchor-docs N: the draw's anchor set, general text every method holds by KL to the frozen
// model (docs/unlearning.md "Third measurement"): its holdout rows plus N pretraining documents
// (no MIA or parquet role ever sees them), drawn with the draw's seed. Nothing when N is 0.
void write_anchor(const Pools& p, const Options& o, uint64_t seed, const DocList& holdout, const std::string& path) {
  const int64_t n = o.i64("anchor-docs");
  if (n <= 0) return;
  auto recs = data::rows_of(holdout);
  auto pre = text_records(p.pretrain, "pre-");
  Rng rng(mix_seed(seed, 0xa9c4));
  auto perm = rng.permutation(int64_t(pre.size()));
  for (int64_t i = 0; i < n; ++i) recs.push_back(pre[size_t(perm[size_t(i)])]);
  io::write_records_jsonl(path, recs);
}

// Before any model is trained: the anchor set must fit in the pretraining pool.
void check_anchor_docs(const Pools& p, const Options& o) {
  if (o.i64("anchor-docs") > int64_t(p.pretrain.size()))
    fail(cat("--anchor-docs ", o.i64("anchor-docs"), " asks for more documents than the pretraining pool has (",
             p.pretrain.size(), ")"),
         "lower --anchor-docs");
}

// One draw's role files under DIR/data (and DIR/data/mia): roles by document, never by row.
void write_draw(const Pools& p, const Options& o, int64_t draw, const std::string& dir) {
  uint64_t seed = mix_seed(uint64_t(o.i64("seed")), uint64_t(draw) + 1);
  auto mem = data::deal_roles(p.memorised, memorised_roles(o), kTasks, seed, "memorised pool");
  auto uns = data::deal_roles(p.unseen, unseen_roles(o), kTasks, seed + 1, "unseen pool");
  std::string d = dir + "/data";
  make_dirs(d + "/mia");
  for (const char* r : {"forget", "retain", "val_forget", "val_retain"})
    io::write_records_jsonl(d + "/" + r + ".jsonl", data::rows_of(mem[r]));
  auto both = [](DocList a, const DocList& b) { return a.insert(a.end(), b.begin(), b.end()), a; };
  io::write_records_jsonl(d + "/unlearn_forget.jsonl", data::rows_of(both(mem["forget"], mem["val_forget"])));
  io::write_records_jsonl(d + "/unlearn_retain.jsonl", data::rows_of(both(mem["retain"], mem["val_retain"])));
  io::write_records_jsonl(d + "/holdout.jsonl", data::rows_of(uns["holdout"]));
  write_documents(d + "/general.jsonl", uns["general"]);
  write_documents(d + "/general_val.jsonl", uns["general_val"]);
  write_documents(d + "/mia/member.jsonl", mem["forget"]);
  write_documents(d + "/mia/nonmember.jsonl", uns["nonmember"]);
  write_anchor(p, o, seed, uns["holdout"], d + "/anchor.jsonl");
}

// ---- models ----

std::vector<std::string> common_args(const Options& o) {
  return {"--seed", o.str("seed"), "--threads", o.str("threads")};
}

void train_full(const Options& o, const std::string& model, const std::string& data, const std::string& epochs,
                const char* lr, const std::string& out) {
  std::vector<std::string> a = {"--model", model, "--data", data, "--full", "--add-eos", "--dtype", "fp32",
                                "--lr", o.str(lr), "--epochs", epochs, "--batch-size", "16", "--schedule",
                                "cosine", "--warmup", "10", "--max-length", o.str("max-length"), "--out", out};
  auto c = common_args(o);
  a.insert(a.end(), c.begin(), c.end());
  run_step("train", a);
}

// The options that decide the pools and the models: a rerun into the same --out may reuse the
// models only if all of them are the same (OUT/models.json records them).
const std::vector<std::string> kModelOptions = {
    "data", "mia", "seed", "forget-docs", "retain-docs", "val-docs", "holdout-docs", "nonmember-docs",
    "general-docs", "general-val-docs", "vocab-size", "max-length", "pretrain-epochs", "pretrain-lr",
    "memorise-epochs", "replay", "memorise-lr"};

json model_stamp(const Options& o) {
  json all = o.to_json(), s = json::object();
  for (auto& k : kModelOptions) s[k] = all.value(k, json());
  for (const char* k : {"data", "mia"})  // the same folder however it was spelled
    if (s[k].is_string() && !s[k].get<std::string>().empty())
      s[k] = std::filesystem::weakly_canonical(s[k].get<std::string>()).string();
  return s;
}

// Refuses to reuse models built with other options (a silent reuse would report a benchmark
// that is not the one asked for); models from before the stamp existed are adopted with a note.
void check_model_stamp(const Options& o, const std::string& out) {
  const std::string path = out + "/models.json";
  json want = model_stamp(o);
  bool built = path_exists(out + "/tokenizer.json") || path_exists(out + "/pretrained/model/config.json");
  if (!path_exists(path)) {
    if (built) log_warn("bench quality: ", out, " holds models without ", path, "; assuming they match this run");
    write_file_atomic(path, want.dump(2) + "\n");
    return;
  }
  json had = json::parse(read_file(path), nullptr, false);
  if (!had.is_object())
    fail(cat("bench quality: ", path, " is not a JSON object of the options that built the models"),
         "use another --out, or delete that folder's tokenizer.json, base, pretrained, memorised and models.json");
  std::string diff;
  for (auto& [k, v] : want.items())
    if (json was = had.value(k, json()); was != v)
      diff += cat(diff.empty() ? "" : ", ", "--", k, " ", was.dump(), " → ", v.dump());
  if (!diff.empty())
    fail(cat("bench quality: the models in ", out, " were built with other options (", diff, "; see ", path, ")"),
         "use another --out, or delete that folder's tokenizer.json, base, pretrained, memorised and models.json");
}

// tokenizer → random tiny OLMo → pretrained → memorised; each step is skipped when its output
// exists (a rerun of the benchmark reuses them: same options, checked by check_model_stamp).
std::string build_models(const Options& o, const std::string& out) {
  std::string d = out + "/data";
  if (!path_exists(out + "/tokenizer.json"))
    run_step("tokenizer train", {"--input", d + "/corpus.txt", "--vocab-size", o.str("vocab-size"), "--out",
                                 out + "/tokenizer.json"});
  if (!path_exists(out + "/base/config.json"))
    run_step("init", {"--arch", "olmo", "--preset", "tiny", "--tokenizer", out + "/tokenizer.json", "--seed",
                      o.str("seed"), "--out", out + "/base"});
  if (!path_exists(out + "/pretrained/model/config.json"))
    train_full(o, out + "/base", d + "/pretrain.jsonl", o.str("pretrain-epochs"), "pretrain-lr", out + "/pretrained");
  if (!path_exists(out + "/memorised/model/config.json"))  // memorise.jsonl holds every epoch (write_memorisation)
    train_full(o, out + "/pretrained/model", d + "/memorise.jsonl", "1", "memorise-lr", out + "/memorised");
  return out + "/memorised/model";
}

// ---- methods ----

// The flags every method shares: the same adapter, validation rows, holdout, utility guard,
// selection rule, validation interval and time budget.
std::vector<std::string> shared_method_args(const Options& o, const std::string& d) {
  return {"--lora-r", o.str("lora-r"), "--lora-alpha", o.str("lora-alpha"), "--lora-targets",
          "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj", "--val-forget", d + "/val_forget.jsonl",
          "--val-retain", d + "/val_retain.jsonl", "--holdout", d + "/holdout.jsonl", "--general",
          d + "/general_val.jsonl", "--utility-tolerance", o.str("utility-tolerance"), "--eval-every",
          o.str("eval-every"), "--time-budget", o.str("time-budget"), "--max-length", o.str("max-length"),
          "--mia-kinds", o.str("mia-kinds"),
          "--batch-size", "8", "--add-eos", "--no-merge", "--dtype", "fp32"};
}

// Each method's own flags: its preset, and --auto (a learning-rate search within the time
// budget) where the preset does not fix the rate.
std::vector<std::string> own_method_args(const Options& o, const std::string& method) {
  std::vector<std::string> a;
  if (method == "libu") a = {"--preset", "libu", "--lr", o.str("libu-lr"), "--epochs", o.str("unlearn-epochs"),
                             "--retain-ratio", o.str("libu-retain-ratio")};
  else if (method == "libu-seed") return {"--preset", "libu-seed", "--best", "calibrated"};
  else if (method == "sugd") a = {"--preset", "sugd", "--lr", o.str("unlearn-lr"), "--epochs", "1", "--best", "calibrated"};
  else a = {"--preset", "baseline", "--method", method, "--lr", o.str("unlearn-lr"), "--epochs",
            o.str("unlearn-epochs"), "--best", "calibrated", "--retain-ratio", o.str("retain-ratio")};
  a.insert(a.end(), {"--schedule", "cosine"});
  if (o.i64("auto-trials") > 1) a.insert(a.end(), {"--auto", "--auto-trials", o.str("auto-trials")});
  return a;
}

void evaluate(const Options& o, const std::string& model, const std::string& adapter, const std::string& d,
              const std::string& out) {
  std::vector<std::string> a = {"--model", model, "--forget", d + "/forget.jsonl", "--retain", d + "/retain.jsonl",
                                "--mia", d + "/mia", "--general", d + "/general.jsonl", "--max-new-tokens",
                                o.str("max-new-tokens"), "--batch-size", "16", "--dtype", "fp32", "--out", out,
                                "--threads", o.str("threads")};
  if (!adapter.empty()) {
    a.insert(a.end(), {"--adapter", adapter});
    std::string attacks = o.flag("relearn") ? "relearn" : "";
    if (o.flag("int4")) attacks += attacks.empty() ? "quantize" : ",quantize";
    if (!attacks.empty()) a.insert(a.end(), {"--attacks", attacks, "--seed", o.str("seed")});
    if (o.flag("relearn")) a.insert(a.end(), {"--relearn-lr", o.str("memorise-lr")});
    if (o.flag("int4")) a.insert(a.end(), {"--quantize-bits", "4"});
  }
  run_step("eval run", a);
}

// Mean NLL of the draw's general documents under a model folder (the pretrained model: where
// the never-seen level started before memorisation).
double general_nll_of(const std::string& model_dir, const std::string& general) {
  model::LoadOptions lo;
  lo.dtype = torch::kFloat;
  auto m = model::CausalLM::load(model_dir, lo);
  auto tok = text::Tokenizer::from_model_dir(model_dir);
  return eval::general_nll(*m, tok, eval::general_documents(general), eval::MiaOptions{}).nll;
}

// ---- results ----

double num_at(const json& j, std::initializer_list<const char*> path) {
  const json* p = &j;
  for (const char* k : path) {
    if (!p->is_object() || !p->contains(k)) return NAN;
    p = &(*p)[k];
  }
  return p->is_number() ? p->get<double>() : NAN;
}

// The learning rate a run used: --auto's winner, else its own --lr; null without a run.
json run_lr(const json& run) {
  double lr = num_at(run, {"auto", "winner_lr"});
  if (std::isnan(lr)) lr = num_at(run, {"options", "lr"});
  return std::isnan(lr) ? json(nullptr) : json(lr);
}

json cell(const std::string& eval_dir, const std::string& run_dir) {
  json m = io::read_json_file(eval_dir + "/metrics.json", "");
  json r = run_dir.empty() ? json::object() : io::read_json_file(run_dir + "/run.json", "");
  double agg = num_at(m, {"harmonic-mean-task-aggregate"}), mia = num_at(m, {"mia_final_score"});
  return {{"task_aggregate", agg}, {"mia_score", mia}, {"mean", (agg + mia) / 2},
          {"mia_auc", num_at(m, {"mia_loss_acc"})},
          {"retain_knowledge", num_at(m, {"retain", "overall-knowledge-score"})},
          {"forget_knowledge", num_at(m, {"forget", "overall-knowledge-score"})},
          {"forget_em", num_at(m, {"memorisation", "forget", "exact_memorisation"})},
          {"general_nll", num_at(m, {"general", "nll"})},
          {"relearn_recovery", num_at(m, {"attacks", "relearn_recovery_ratio"})},
          {"int4_forget_change", num_at(m, {"attacks", "quantize_int4", "forget_knowledge_change"})},
          {"wall_s", num_at(r, {"wall_s"})}, {"steps", num_at(r, {"steps_done"})},
          {"lr", run_lr(r)}};
}

std::string f3(double v) { return std::isnan(v) ? "—" : cat(std::round(v * 1000) / 1000); }

// The goals for libu on one draw (docs/benchmark.md "Goals").
json goals(const json& draw, const Options& o) {
  const json& cells = draw["methods"];
  if (!cells.contains("libu")) return nullptr;
  const json& l = cells["libu"];
  const json& b = draw["before"];
  double best_other = -1;
  for (auto& [name, c] : cells.items())
    if (name != "libu" && c["general_rise"].get<double>() <= o.f64("goal-general-rise"))
      best_other = std::max(best_other, c["mean"].get<double>());
  auto ok = [](bool v) { return json(v); };
  return {{"mia_score", ok(l["mia_score"] >= 0.8)}, {"task_aggregate", ok(l["task_aggregate"] >= 0.7)},
          {"retain_knowledge", ok(l["retain_knowledge"].get<double>() >= 0.9 * b["retain_knowledge"].get<double>())},
          {"general_rise", ok(l["general_rise"].get<double>() <= o.f64("goal-general-rise"))},
          {"margin_over_best_other", best_other < 0 ? json(nullptr) : json(l["mean"].get<double>() - best_other)},
          {"beats_others_by_0.05", ok(best_other < 0 || l["mean"].get<double>() >= best_other + 0.05)}};
}

std::string draw_table(const json& draw) {
  std::string s = "| method | agg | MIA | (agg+MIA)/2 | retain kn. | forget kn. | forget EM | never-seen NLL rise | relearn rec. | int4 Δ forget kn. | lr | steps | wall s |\n"
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  auto row = [&](const std::string& name, const json& c) {
    s += cat("| ", name, " | ", f3(c["task_aggregate"]), " | ", f3(c["mia_score"]), " | ", f3(c["mean"]), " | ",
             f3(c["retain_knowledge"]), " | ", f3(c["forget_knowledge"]), " | ", f3(c.value("forget_em", NAN)), " | ",
             f3(c.value("general_rise", NAN)),
             " | ", f3(c["relearn_recovery"]), " | ", f3(c.value("int4_forget_change", NAN)), " | ", c["lr"].is_number() ? cat(c["lr"].get<double>()) : "—", " | ",
             f3(c["steps"]), " | ", f3(c["wall_s"]), " |\n");
  };
  row("before", draw["before"]);
  for (auto& [name, c] : draw["methods"].items()) row(name, c);
  return s;
}

// Mean and spread (min–max) across draws of each method's headline numbers.
json across_draws(const json& draws) {
  std::map<std::string, std::map<std::string, std::vector<double>>> v;
  for (auto& d : draws)
    for (auto& [name, c] : d["methods"].items())
      for (const char* k : {"task_aggregate", "mia_score", "mean", "retain_knowledge", "general_rise", "relearn_recovery",
                            "int4_forget_change", "wall_s"})
        if (c.contains(k) && c[k].is_number()) v[name][k].push_back(c[k].get<double>());
  json out = json::object();
  for (auto& [name, ks] : v)
    for (auto& [k, xs] : ks) {
      double s = 0;
      for (double x : xs) s += x;
      out[name][k] = {{"mean", s / double(xs.size())}, {"min", *std::min_element(xs.begin(), xs.end())},
                      {"max", *std::max_element(xs.begin(), xs.end())}};
    }
  return out;
}

std::string summary_markdown(const json& s) {
  std::string md = "# libu bench quality\n\n";
  for (auto& d : s["draws"]) {
    md += cat("## Draw ", d["draw"].get<int64_t>(), "\n\n", draw_table(d), "\n");
    md += cat("Never-seen NLL: pretrained ", f3(d["general_nll_pretrained"]), ", memorised ",
              f3(d["before"]["general_nll"]), ". Goals for libu: ", d["goals"].dump(), "\n\n");
  }
  md += "## Across draws (mean [min, max])\n\n| method | agg | MIA | (agg+MIA)/2 | retain kn. | never-seen NLL rise | relearn rec. | int4 Δ forget kn. | wall s |\n|---|---|---|---|---|---|---|---|---|\n";
  for (auto& [name, ks] : s["across"].items()) {
    md += "| " + name;
    for (const char* k : {"task_aggregate", "mia_score", "mean", "retain_knowledge", "general_rise", "relearn_recovery",
                          "int4_forget_change", "wall_s"})
      md += ks.contains(k) ? cat(" | ", f3(ks[k]["mean"]), " [", f3(ks[k]["min"]), ", ", f3(ks[k]["max"]), "]") : " | —";
    md += " |\n";
  }
  return md;
}

std::string summary_html(const std::string& md) {
  std::string h = "<!doctype html><meta charset=\"utf-8\"><title>libu bench quality</title><style>body{font-family:"
                  "sans-serif;max-width:1200px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid "
                  "#ccc;padding:3px 8px;text-align:right}</style>\n";
  bool in_table = false;
  std::istringstream in(md);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("|", 0) == 0) {
      if (line.find("---") != std::string::npos) continue;
      if (!in_table) h += "<table>\n", in_table = true;
      h += "<tr>";
      std::istringstream cells(line.substr(1));
      for (std::string c; std::getline(cells, c, '|');) h += "<td>" + eval::html_escape(c) + "</td>";
      h += "</tr>\n";
      continue;
    }
    if (in_table) h += "</table>\n", in_table = false;
    if (line.rfind("## ", 0) == 0) h += "<h2>" + eval::html_escape(line.substr(3)) + "</h2>\n";
    else if (line.rfind("# ", 0) == 0) h += "<h1>" + eval::html_escape(line.substr(2)) + "</h1>\n";
    else if (!line.empty()) h += "<p>" + eval::html_escape(line) + "</p>\n";
  }
  return h + (in_table ? "</table>\n" : "") + "<p>Per-draw reports: draw-K/report.html.</p>\n";
}

json run_draw(const Options& o, const Pools& pools, const std::string& out, const std::string& memorised, int64_t draw) {
  std::string dir = out + "/draw-" + std::to_string(draw), d = dir + "/data";
  write_draw(pools, o, draw, dir);
  evaluate(o, memorised, "", d, dir + "/eval-before");
  json result = {{"draw", draw}, {"before", cell(dir + "/eval-before", "")},
                 {"general_nll_pretrained", general_nll_of(out + "/pretrained/model", d + "/general.jsonl")}};
  const double g0 = result["before"]["general_nll"].get<double>();
  std::vector<std::string> runs;
  for (const std::string& method : o.list("methods")) {
    std::string run = dir + "/unlearn-" + method;
    std::vector<std::string> a = {"--model", memorised, "--forget", d + "/unlearn_forget.jsonl", "--retain",
                                  d + "/unlearn_retain.jsonl", "--out", run};
    for (auto& v : {shared_method_args(o, d), own_method_args(o, method), common_args(o)}) a.insert(a.end(), v.begin(), v.end());
    // The anchor set is every method's but libu-seed's (the published code, reproduced as it was).
    if (o.i64("anchor-docs") > 0 && method != "libu-seed") a.insert(a.end(), {"--anchor", d + "/anchor.jsonl"});
    run_step("unlearn", a);
    evaluate(o, memorised, run + "/adapter", d, run + "/eval");
    json c = cell(run + "/eval", run);
    c["general_rise"] = c["general_nll"].get<double>() - g0;
    result["methods"][method] = c;
    runs.push_back(run);
  }
  result["goals"] = goals(result, o);
  runs.insert(runs.end(), {"--before", dir + "/eval-before", "--out", dir + "/report.html"});
  run_step("report", runs);
  return result;
}

// Sizes set defaults only (a flag given on the command line wins). The option table holds the
// full size: the anchored recipe of docs/unlearning.md ("Third measurement") for every method
// (a general anchor, selection on the documents, guard 0.2, the rate --auto chose for every
// method in the earlier full runs, 1e-3, so no search splits the budget), 60 s each, so that
// three draws of six methods fit in 30 min. long: the same at 150 s. small: the slow test, with
// the unanchored settings it was written for.
void apply_size(Options& o) {
  std::map<std::string, std::string> defaults;
  if (o.str("size") == "small")
    defaults = {{"forget-docs", "4"},    {"retain-docs", "4"},       {"val-docs", "2"},
                {"holdout-docs", "3"},   {"nonmember-docs", "4"},    {"general-docs", "4"},
                {"general-val-docs", "2"}, {"time-budget", "60"},    {"anchor-docs", "0"},
                {"mia-kinds", "all"},    {"utility-tolerance", "0.1"}, {"auto-trials", "2"}};
  else if (o.str("size") == "long")
    defaults = {{"time-budget", "150"}};
  for (auto& [k, v] : defaults) o.set_default(k, v);
}

int run_bench_quality(const Options& given) {
  Options o = given;
  apply_size(o);
  Timer timer;
  std::string out = o.str("out");
  make_dirs(out + "/data");
  check_model_stamp(o, out);  // before any file of OUT is rewritten
  Pools pools = make_pools(o);
  check_anchor_docs(pools, o);
  write_memorisation(pools, write_pretraining(pools, out + "/data"), o.i64("memorise-epochs"), o.f64("replay"),
                     out + "/data");
  std::string memorised = build_models(o, out);
  json summary = {{"options", o.to_json()}, {"draws", json::array()}};
  const int64_t first = o.i64("first-draw");
  for (int64_t k = first; k < first + o.i64("draws"); ++k) {
    summary["draws"].push_back(run_draw(o, pools, out, memorised, k));
    summary["across"] = across_draws(summary["draws"]);
    summary["wall_s"] = timer.seconds();
    write_file_atomic(out + "/summary.json", summary.dump(2) + "\n");  // after every draw: a kill keeps the rest
  }
  std::string md = summary_markdown(summary);
  write_file_atomic(out + "/summary.md", md);
  write_file_atomic(out + "/report.html", summary_html(md));
  log_info("bench quality finished in ", timer.seconds(), " s");
  std::cout << md << out << "/report.html\n";
  return 0;
}

std::vector<OptionSpec> bench_quality_options() {
  return {{"out", OptType::Path, "bench-quality",
           "output folder (its models are reused when built with the same options: OUT/models.json)"},
          {"data", OptType::Path, "../shared/data/semeval25", "SemEval-2025 Task 4 folder (train + validation parquet)"},
          {"mia", OptType::Path, "", "MIA folder (default: DATA/mia); its non-member documents are pretraining text"},
          {"size", OptType::String, "full",
           "full (60 s per method: 3 draws of 6 methods in ≤ 30 min with the models built), long (150 s per "
           "method, ~50 min) or small (the slow test); docs/benchmark.md",
           false,
           {"full", "long", "small"}},
          {"seed", OptType::Int, "0", "seed of the pools, models and runs"},
          {"draws", OptType::Int, "3", "data draws (each deals the documents into roles anew)"},
          {"first-draw", OptType::Int, "1", "first draw (draw 0 is the one settings were tuned on)"},
          {"methods", OptType::String, "libu,libu-seed,gd,npo,simnpo,sugd", "comma list of methods"},
          {"forget-docs", OptType::Int, "10", "forget documents per task (reported; the MIA members)"},
          {"retain-docs", OptType::Int, "6", "retain documents per task (reported)"},
          {"val-docs", OptType::Int, "4",
           "validation forget and validation retain documents per task (never reported; the selection's sample)"},
          {"holdout-docs", OptType::Int, "4", "holdout documents per task (never trained: the calibration target)"},
          {"nonmember-docs", OptType::Int, "10", "MIA non-member documents per task (never trained, never selected on)"},
          {"general-docs", OptType::Int, "8", "never-seen documents per task for the reported general NLL"},
          {"general-val-docs", OptType::Int, "4", "never-seen documents per task for the utility guard (--general)"},
          {"vocab-size", OptType::Int, "4096", "BPE size"},
          {"max-length", OptType::Int, "512",
           "tokens per row (every SemEval and MIA document fits: at most 428 tokens of the 4,096-id BPE)"},
          {"pretrain-epochs", OptType::Int, "4", "pretraining epochs"},
          {"pretrain-lr", OptType::Float, "3e-3", "pretraining learning rate"},
          {"memorise-epochs", OptType::Int, "50", "memorisation epochs (with pretraining replay)"},
          {"replay", OptType::Float, "2", "pretraining documents replayed per memorised document while memorising"},
          {"memorise-lr", OptType::Float, "3e-3", "memorisation learning rate (also the relearning attack's)"},
          {"lora-r", OptType::Int, "16", "LoRA rank of every method"},
          {"lora-alpha", OptType::Float, "32", "LoRA alpha of every method"},
          {"unlearn-epochs", OptType::Int, "20", "unlearning epochs (the time budget usually ends first)"},
          {"unlearn-lr", OptType::Float, "1e-3", "base learning rate of the AdamW methods (--auto searches around it)"},
          {"libu-lr", OptType::Float, "1e-3", "base phase-2 learning rate of libu, its preset's (--auto searches around it)"},
          {"retain-ratio", OptType::Float, "2", "retain micro-batches per forget micro-batch (gd, npo, simnpo)"},
          {"libu-retain-ratio", OptType::Float, "2", "retain micro-batches per forget micro-batch (libu; its preset's)"},
          {"auto-trials", OptType::Int, "1", "learning rates tried by --auto (1 = no search: every method at its base rate)"},
          {"time-budget", OptType::Float, "60", "seconds per method (the --auto search included; phase 1 comes on top)"},
          {"eval-every", OptType::Int, "5", "validation interval (steps)"},
          {"utility-tolerance", OptType::Float, "0.2", "never-seen NLL rise allowed by selection (--general)"},
          {"anchor-docs", OptType::Int, "48",
           "pretraining documents that, with the draw's holdout rows, every method holds by KL to the frozen model "
           "(--anchor; 0 = no anchor)"},
          {"mia-kinds", OptType::String, "sc", "row kinds every method's selection scores the MIA on (sc = documents)"},
          {"goal-general-rise", OptType::Float, "0.25", "the reported never-seen NLL rise a method may have"},
          {"max-new-tokens", OptType::Int, "256", "generation length in evaluations (the official 256)"},
          {"relearn", OptType::Bool, "true", "run the relearning attack on every unlearned model"},
          {"int4", OptType::Bool, "true", "run the int4 quantisation attack on every unlearned model (forget knowledge change)"}};
}

Registrar bench_quality_reg({"bench quality",
                             "real-text unlearning benchmark on the SemEval documents: pretrain, memorise, unlearn "
                             "with every method on several draws, tables (docs/benchmark.md)",
                             bench_quality_options(), run_bench_quality});

}  // namespace
}  // namespace libu::cli
