// libu/eval/attacks/attacks.cpp — see attacks.h.
#include "libu/eval/attacks/attacks.h"

#include <algorithm>
#include <filesystem>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/log.h"
#include "libu/core/timing.h"
#include "libu/eval/attacks/paraphrase.h"
#include "libu/eval/attacks/quantize.h"
#include "libu/io/jsonl.h"
#include "libu/model/runtime.h"

namespace libu::eval::attacks {

using nlohmann::json;

const std::vector<std::string>& attack_names() {
  static const std::vector<std::string> n = {"relearn", "quantize", "paraphrase"};
  return n;
}

std::vector<std::string> parse_attacks(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& n : names) {
    if (n == "all") return attack_names();
    if (std::find(attack_names().begin(), attack_names().end(), n) == attack_names().end())
      fail(cat("--attacks: unknown attack '", n, "'"), "choose from relearn, quantize, paraphrase (or all)");
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  if (out.empty()) fail("--attacks: no attack named", "give e.g. --attacks relearn,quantize,paraphrase");
  // Run order is fixed (attack_names order), whatever order was given.
  std::vector<std::string> ordered;
  for (const auto& n : attack_names())
    if (std::find(out.begin(), out.end(), n) != out.end()) ordered.push_back(n);
  return ordered;
}

namespace {

// A comparison model (reference or baseline) loaded like the attacked one.
std::shared_ptr<model::CausalLM> load_other(const std::string& dir, const AttackOptions& opt, const char* flag,
                                            const model::CausalLM& like) {
  if (!is_directory(dir)) fail(cat("--", flag, " ", dir, ": not a folder"), "give an HF model folder (config.json, *.safetensors)");
  model::LoadOptions lo;
  if (opt.dtype != "auto") lo.dtype = model::parse_dtype(opt.dtype);
  lo.device = model::parse_device(opt.device);
  auto m = model::CausalLM::load(dir, lo);
  if (m->config().vocab_size != like.config().vocab_size)
    fail(cat("--", flag, " ", dir, ": vocab_size ", m->config().vocab_size, " differs from the attacked model's ",
             like.config().vocab_size),
         "the comparison model must share the attacked model's tokenizer");
  return m;
}

// ------------------------------------------------------------------ relearn

// The recovery ratios of one point against the curve's start and the memorised level.
json point_recovery(const RelearnPoint& b, const RelearnPoint& a, const RelearnPoint& m, double min_gap) {
  return {{"score", num_or_null(recovery_ratio(b.probe.score(), a.probe.score(), m.probe.score(), min_gap))},
          {"knowledge", num_or_null(recovery_ratio(b.probe.knowledge, a.probe.knowledge, m.probe.knowledge, min_gap))},
          {"regurgitation",
           num_or_null(recovery_ratio(b.probe.regurgitation, a.probe.regurgitation, m.probe.regurgitation, min_gap))},
          {"nll", num_or_null(recovery_ratio(-b.nll, -a.nll, -m.nll, min_gap))}};
}

// Ratios at the last step, their maximum over the measured steps (the attacker keeps its
// best checkpoint), and the headline: the maximum knowledge ratio (QA exact match: facts a
// format cannot give away), or the maximum score ratio when the probes have no QA rows or
// nothing of their knowledge was removed (docs/robustness.md "The headline").
json recovery_json(const RelearnCurve& c, const RelearnCurve& memorised, double min_gap) {
  const RelearnPoint &b = c.points.front(), &m = memorised.points.front();
  json j = point_recovery(b, c.points.back(), m, min_gap), best = json::object();
  for (const auto& p : c.points) {
    const json r = point_recovery(b, p, m, min_gap);  // kept alive: items() refers into it
    for (auto& [k, v] : r.items())
      if (v.is_number() && (!best.contains(k) || v.get<double>() > best[k].get<double>())) best[k] = v;
  }
  for (const char* k : {"score", "knowledge", "regurgitation", "nll"})
    if (!best.contains(k)) best[k] = nullptr;
  j["max_over_steps"] = best;
  j["headline"] = best["knowledge"].is_number() ? best["knowledge"] : best["score"];
  j["headline_kind"] = best["knowledge"].is_number() ? "knowledge" : best["score"].is_number() ? "score" : "none";
  return j;
}

void relearn_rows(const RelearnCurve& c, const std::vector<io::Record>& probe, std::vector<json>& rows) {
  for (const auto& p : c.points)
    for (size_t i = 0; i < probe.size(); ++i)
      rows.push_back({{"model", c.model},
                      {"step", p.step},
                      {"id", probe[i].id},
                      {"type", row_type(probe[i].id) == RowType::SentenceCompletion ? "sc" : "qa"},
                      {"score", p.row_scores[i]},
                      {"nll", num_or_null(p.row_nll[i])},
                      {"generation", p.generations[i]}});
}

json relearn_attack(const AttackTarget& t, const AttackOptions& opt, const model::CausalLM* reference,
                    const model::CausalLM* baseline, std::vector<json>& rows) {
  DocumentSplit split = split_by_document(*t.forget, opt.relearn.fraction, opt.seed, t.forget_source);
  RelearnOptions ro = opt.relearn;
  ro.seed = opt.seed;
  ro.generation = opt.generation;
  log_info("relearn: ", split.attack_documents.size(), " of ", split.documents, " forget documents (", split.attack.size(),
           " rows) are attack data, ", split.probe.size(), " rows are probes");
  std::vector<RelearnCurve> curves = {relearn(*t.model, *t.tok, split, ro, "model")};
  if (reference) curves.push_back(relearn(*reference, *t.tok, split, ro, "reference"));
  if (baseline) curves.push_back(relearn(*baseline, *t.tok, split, ro, "baseline"));
  json j = {{"documents", split.documents},
            {"attack_documents", split.attack_documents},
            {"attack_rows", split.attack.size()},
            {"probe_rows", split.probe.size()},
            {"fraction", ro.fraction},
            {"steps", ro.steps},
            {"lr", ro.lr},
            {"batch_size", ro.batch_size},
            {"lora", {{"r", ro.lora.r}, {"alpha", ro.lora.alpha}, {"targets", ro.lora.targets}}},
            {"min_gap", opt.min_gap}};
  json cj = json::object(), rec = json::object();
  for (const auto& c : curves) {
    cj[c.model] = c.to_json()["points"];
    relearn_rows(c, split.probe, rows);
  }
  j["curves"] = cj;
  if (reference) {
    j["memorised"] = curves[1].points.front().to_json();
    rec["model"] = recovery_json(curves[0], curves[1], opt.min_gap);
    if (baseline) rec["baseline"] = recovery_json(curves[2], curves[1], opt.min_gap);
  }
  j["recovery"] = rec;
  j["recovery_ratio"] = rec.contains("model") ? rec["model"]["headline"] : json(nullptr);
  return j;
}

// ------------------------------------------------------------------ quantize

json metric_delta(const json& now, const json& base) {
  json d = json::object();
  for (auto& [k, v] : now.items())
    d[k] = v.is_number() && base.contains(k) && base[k].is_number() ? json(v.get<double>() - base[k].get<double>())
                                                                   : json(nullptr);
  return d;
}

void quantize_rows(const std::string& variant, const ModelMetrics& m, std::vector<json>& rows) {
  for (const SplitScore* s : {&m.score.forget, &m.score.retain})
    for (const auto& r : s->rows)
      rows.push_back({{"variant", variant},
                      {"split", s->split},
                      {"id", r.row.id},
                      {"type", r.type == RowType::SentenceCompletion ? "sc" : "qa"},
                      {"score", r.score}});
}

json quantize_attack(const AttackTarget& t, const AttackOptions& opt, std::vector<json>& rows) {
  MetricsInputs in{t.forget, t.retain, opt.mia_dir, opt.generation, opt.mia};
  ModelMetrics plain = t.unquantized ? *t.unquantized : official_metrics(*t.model, *t.tok, in, "unquantized");
  json base = plain.to_json();
  json variants = {{"unquantized", base}};
  quantize_rows("unquantized", plain, rows);
  const auto merged = t.model->merged_weights(t.model->dtype());
  int64_t count = 0;
  for (int bits : opt.quant_bits) {
    const std::string name = cat("int", bits);
    model::CausalLM q(t.model->config(), quantize_weights(merged, bits, opt.quant_group, &count));
    ModelMetrics m = official_metrics(q, *t.tok, in, name);
    json v = m.to_json();
    v["change"] = metric_delta(v, base);
    if (t.has_adapter) {  // the adapter's update against this grid (docs/robustness.md)
      UpdateVsGrid u = update_against_grid(t.model->weights(), merged, bits, opt.quant_group);
      v["update_vs_grid"] = {{"codes_changed", u.codes_changed}, {"update_in_steps", u.update_in_steps},
                             {"tensors", u.tensors}, {"elements", u.elements}};
      log_info("quantize ", name, ": the adapter changed ", u.codes_changed * 100, " % of the codes (mean update ",
               u.update_in_steps, " steps)");
    }
    variants[name] = v;
    quantize_rows(name, m, rows);
    log_info("quantize ", name, ": task aggregate ", v["task_aggregate"], " (", v["change"]["task_aggregate"],
             "), forget knowledge ", v["forget_knowledge"], " (", v["change"]["forget_knowledge"], ")");
  }
  return {{"scheme", "symmetric round-to-nearest, fp32 scale per group along the input dimension"},
          {"group_size", opt.quant_group},
          {"bits", opt.quant_bits},
          {"quantized_tensors", count},
          {"kept_full_precision", "embeddings, LM head, norms"},
          {"variants", variants}};
}

// ------------------------------------------------------------------ paraphrase

struct Asked {
  std::vector<io::Record> rows;  // QA rows with the rewritten prompt as input
  size_t skipped = 0;
};

Asked rewrite(const std::vector<io::Record>& rows, const std::string& tmpl) {
  Asked a;
  for (const auto& r : rows) {
    if (row_type(r.id) != RowType::QuestionAnswer) continue;
    auto p = paraphrase(tmpl, r.input);
    if (!p) {
      ++a.skipped;
      continue;
    }
    io::Record q = r;
    q.input = *p;
    a.rows.push_back(std::move(q));
  }
  return a;
}

json paraphrase_split(model::CausalLM& m, const AttackTarget& t, const AttackOptions& opt, const std::string& who,
                      const std::string& tmpl, const std::string& split, const std::vector<io::Record>& recs,
                      std::vector<json>& rows) {
  Asked a = rewrite(recs, tmpl);
  double sum = 0;
  if (!a.rows.empty()) {
    auto pred = generate_predictions(m, *t.tok, a.rows, opt.generation, cat("paraphrase ", who, " ", tmpl, " ", split));
    for (size_t i = 0; i < a.rows.size(); ++i) {
      double s = official_row_score(a.rows[i], pred[i].generation);
      sum += s;
      rows.push_back({{"model", who}, {"template", tmpl}, {"split", split}, {"id", a.rows[i].id},
                      {"prompt", a.rows[i].input}, {"generation", pred[i].generation}, {"score", s}});
    }
  }
  return {{"knowledge", a.rows.empty() ? json(nullptr) : json(sum / double(a.rows.size()))},
          {"rows", a.rows.size()},
          {"skipped", a.skipped}};
}

json paraphrase_attack(const AttackTarget& t, const AttackOptions& opt, model::CausalLM* reference,
                       std::vector<json>& rows) {
  json tj = json::array(), models = json::object();
  for (const auto& p : paraphrase_templates()) tj.push_back({{"name", p.name}, {"description", p.description}});
  std::vector<std::pair<std::string, model::CausalLM*>> who = {{"model", t.model}};
  if (reference) who.push_back({"reference", reference});
  for (auto& [name, m] : who) {
    json per = json::object();
    for (const auto& p : paraphrase_templates())
      per[p.name] = {{"forget", paraphrase_split(*m, t, opt, name, p.name, "forget", *t.forget, rows)},
                     {"retain", paraphrase_split(*m, t, opt, name, p.name, "retain", *t.retain, rows)}};
    models[name] = per;
  }
  return {{"templates", tj}, {"models", models}};
}

// Writes (or removes a stale) per-row file.
void write_rows(const std::string& path, bool ran, const std::vector<json>& rows) {
  if (ran) io::write_jsonl(path, rows);
  else if (path_exists(path)) std::filesystem::remove(path);
}

}  // namespace

json run_attacks(const AttackTarget& t, const AttackOptions& opt) {
  if (opt.out_dir.empty()) fail("eval attack: no output folder", "pass --out DIR");
  auto has = [&](const char* a) { return std::find(opt.attacks.begin(), opt.attacks.end(), a) != opt.attacks.end(); };
  std::shared_ptr<model::CausalLM> ref, base;
  const bool need_ref = has("relearn") || has("paraphrase");
  if (need_ref && !opt.reference_dir.empty()) ref = load_other(opt.reference_dir, opt, "reference", *t.model);
  else if (need_ref && t.has_adapter) ref = std::make_shared<model::CausalLM>(t.model->config(), t.model->weights());
  else if (need_ref) log_warn("attacks: no --reference (and no --adapter): relearn recovery ratios need the memorised model");
  if (has("relearn") && !opt.baseline_dir.empty()) base = load_other(opt.baseline_dir, opt, "baseline", *t.model);
  make_dirs(opt.out_dir);
  json out = {{"format", "libu-attacks-v1"},
              {"seed", opt.seed},
              {"attacks", opt.attacks},
              {"reference", opt.reference_dir.empty() ? (ref ? "model without adapter" : "") : opt.reference_dir},
              {"baseline", opt.baseline_dir}};
  json timing = json::object();
  std::vector<json> rrows, qrows, prows;
  Timer timer;
  if (has("relearn")) out["relearn"] = relearn_attack(t, opt, ref.get(), base.get(), rrows), timing["relearn"] = timer.lap();
  if (has("quantize")) out["quantize"] = quantize_attack(t, opt, qrows), timing["quantize"] = timer.lap();
  if (has("paraphrase")) out["paraphrase"] = paraphrase_attack(t, opt, ref.get(), prows), timing["paraphrase"] = timer.lap();
  out["timing_s"] = timing;
  write_rows(opt.out_dir + "/relearn_rows.jsonl", has("relearn"), rrows);
  write_rows(opt.out_dir + "/quantize_rows.jsonl", has("quantize"), qrows);
  write_rows(opt.out_dir + "/paraphrase_rows.jsonl", has("paraphrase"), prows);
  write_file_atomic(opt.out_dir + "/attacks.json", out.dump(2) + "\n");
  log_info("attacks: ", attacks_summary(out).dump());
  return out;
}

json attacks_summary(const json& a) {
  json s = json::object();
  if (a.contains("relearn")) {
    const json& rec = a["relearn"]["recovery"];
    s["relearn_recovery_ratio"] = a["relearn"]["recovery_ratio"];
    if (rec.contains("baseline")) s["relearn_recovery_ratio_baseline"] = rec["baseline"]["headline"];
  }
  if (a.contains("quantize"))
    for (auto& [name, v] : a["quantize"]["variants"].items())
      if (v.contains("change"))
        s["quantize_" + name] = {{"task_aggregate_change", v["change"]["task_aggregate"]},
                                 {"forget_knowledge_change", v["change"]["forget_knowledge"]},
                                 {"forget_regurgitation_change", v["change"]["forget_regurgitation"]},
                                 {"mia_auc_change", v["change"]["mia_auc"]}};
  if (a.contains("quantize"))
    for (auto& [name, v] : a["quantize"]["variants"].items())
      if (v.contains("update_vs_grid")) s["quantize_" + name]["codes_changed"] = v["update_vs_grid"]["codes_changed"];
  if (a.contains("paraphrase"))
    for (auto& [tmpl, v] : a["paraphrase"]["models"]["model"].items())
      s["paraphrase_forget_knowledge"][tmpl] = v["forget"]["knowledge"];
  return s;
}

}  // namespace libu::eval::attacks
