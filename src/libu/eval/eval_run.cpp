// libu/eval/eval_run.cpp — see eval_run.h.
#include "libu/eval/eval_run.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/log.h"
#include "libu/core/timing.h"
#include "libu/dist/dist.h"
#include "libu/io/jsonl.h"
#include "libu/model/peft_io.h"
#include "libu/model/runtime.h"

namespace libu::eval {

using nlohmann::json;

std::vector<io::Record> limit_records(const std::vector<io::Record>& records, int64_t limit) {
  if (limit <= 0 || size_t(limit) >= records.size()) return records;
  // Groups (task, sc/qa) in order of first appearance, each a queue of row indices.
  std::vector<std::string> keys;
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < records.size(); ++i) {
    std::string key = records[i].task + (row_type(records[i].id) == RowType::SentenceCompletion ? "/sc" : "/qa");
    if (!groups.count(key)) keys.push_back(key);
    groups[key].push_back(i);
  }
  std::vector<size_t> chosen;
  for (size_t round = 0; chosen.size() < size_t(limit); ++round)
    for (auto& k : keys)
      if (round < groups[k].size() && chosen.size() < size_t(limit)) chosen.push_back(groups[k][round]);
  std::sort(chosen.begin(), chosen.end());
  std::vector<io::Record> out;
  for (size_t i : chosen) out.push_back(records[i]);
  return out;
}

void check_records(const std::vector<io::Record>& records, const std::string& source) {
  if (records.empty()) fail(cat(source, ": no rows"), "the split to evaluate must hold at least one row");
  const auto& tasks = semeval_tasks();
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (std::find(tasks.begin(), tasks.end(), r.task) == tasks.end())
      fail(cat(source, ": row ", i + 1, " (id '", r.id, "'): field 'task' is '", r.task, "'"),
           "the official scorer knows the tasks Task1, Task2 and Task3; the data needs a `task` column");
    try {
      row_type(r.id);
    } catch (const Error& e) {
      throw e.with_context(cat(source, ": row ", i + 1));
    }
  }
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::vector<json> scored_rows_json(const SemevalResult& r, const std::vector<io::Record>& forget,
                                   const std::vector<io::Record>& retain) {
  std::vector<json> rows;
  for (auto [split, recs] : {std::pair{&r.forget, &forget}, std::pair{&r.retain, &retain}}) {
    if (split->rows.size() != recs->size())
      fail_internal(cat(split->split, ": ", split->rows.size(), " scored rows for ", recs->size(), " records"));
    for (size_t i = 0; i < recs->size(); ++i) {
      const ScoredRow& sr = split->rows[i];
      if (sr.row.id != (*recs)[i].id)
        fail_internal(cat(split->split, " row ", i, ": scored id '", sr.row.id, "' != record id '", (*recs)[i].id, "'"));
      const bool sc = sr.type == RowType::SentenceCompletion;
      rows.push_back({{"split", split->split},
                      {"id", sr.row.id},
                      {"task", sr.row.task},
                      {"type", sc ? "sc" : "qa"},
                      {"score", sr.score},
                      {"input", (*recs)[i].input},
                      {"output", sr.row.output},
                      {"generation", sr.row.generation}});
    }
  }
  return rows;
}

std::string scored_rows_csv(const std::vector<json>& rows) {
  static const char* cols[] = {"split", "id", "task", "type", "score", "input", "output", "generation"};
  std::string out;
  for (size_t c = 0; c < 8; ++c) out += std::string(c ? "," : "") + cols[c];
  out += "\n";
  for (const auto& r : rows) {
    for (size_t c = 0; c < 8; ++c) {
      const json& v = r.at(cols[c]);
      out += std::string(c ? "," : "") + csv_field(v.is_string() ? v.get<std::string>() : v.dump());
    }
    out += "\n";
  }
  return out;
}

namespace {

std::vector<json> prediction_lines(const std::vector<PredictionRow>& rows) {
  std::vector<json> out;
  for (auto& p : rows)
    out.push_back({{"id", p.id}, {"task", p.task}, {"output", p.output}, {"generation", p.generation}});
  return out;
}

std::vector<io::Record> load_rows(const std::string& path, const std::string& split, int64_t limit) {
  auto all = io::load_split(path, split);
  check_records(all, cat("--", split, " ", path));
  auto rows = limit_records(all, limit);
  log_info(split, ": ", rows.size(), " of ", all.size(), " rows from ", path);
  return rows;
}

// Leak summary for the log: forget rows the model still reproduces.
void log_leaks(const SplitScore& forget) {
  size_t sc = 0, sc_leak = 0, qa = 0, qa_leak = 0;
  for (auto& r : forget.rows) {
    if (r.type == RowType::SentenceCompletion) {
      ++sc;
      sc_leak += r.score >= 0.5;
    } else {
      ++qa;
      qa_leak += r.score == 1.0;
    }
  }
  log_info("forget leaks: ", sc_leak, "/", sc, " SC rows with ROUGE-L recall >= 0.5, ", qa_leak, "/", qa,
           " QA rows answered exactly (see rows.csv)");
}

}  // namespace

namespace {

// Every input read and checked before the model is loaded and the (long) generation runs.
struct Inputs {
  std::vector<io::Record> forget, retain;
  std::vector<std::string> mmlu_subjects;
  std::vector<std::string> general;  // --general documents
};

Inputs read_inputs(const EvalRunOptions& opt) {
  if (opt.out_dir.empty()) fail("eval run: no output folder", "pass --out DIR");
  if (dist::is_main()) {
    require_writable_dir(opt.out_dir, "--out");
    remove_stale_temporaries(opt.out_dir);  // what a killed run left (docs/hardening.md)
  }
  Inputs in;
  in.forget = load_rows(opt.forget, "forget", opt.limit);
  in.retain = load_rows(opt.retain, "retain", opt.limit);
  if (!opt.mmlu_dir.empty()) in.mmlu_subjects = mmlu_subjects(opt.mmlu_dir, opt.mmlu.subjects);
  if (!opt.general.empty()) in.general = general_documents(opt.general);
  if (!opt.mia_reference.empty() && !path_exists(opt.mia_reference + "/config.json"))
    fail(cat("--mia-reference ", opt.mia_reference, ": no config.json"), "give an HF model folder");
  if (!opt.mia_dir.empty()) {
    if (!is_directory(opt.mia_dir))
      fail(cat("--mia ", opt.mia_dir, ": not a folder"), "give a folder holding member.jsonl and nonmember.jsonl");
    for (const char* f : {"member.jsonl", "nonmember.jsonl"})
      if (!path_exists(opt.mia_dir + "/" + f))
        fail(cat("--mia ", opt.mia_dir, ": missing ", f), "the MIA folder needs member.jsonl and nonmember.jsonl");
  }
  return in;
}

// `eval run --attacks`: the attacks on the evaluated model, reusing its evaluation as the
// unquantised one; their headline numbers go into metrics.json["attacks"].
void run_attacks_after(model::CausalLM& model, const text::Tokenizer& tok, const EvalRunOptions& opt, const Inputs& in,
                       EvalRunResult& res) {
  attacks::ModelMetrics plain;
  plain.score = res.score;
  attacks::AttackOptions ao = *opt.attacks;
  ao.out_dir = opt.out_dir;
  ao.mia_dir = opt.mia_dir;  // the same evaluation settings as the plain evaluation
  ao.generation = opt.generation;
  ao.mia = opt.mia;
  ao.dtype = opt.dtype;
  ao.device = opt.device;
  attacks::AttackTarget t{&model, !opt.adapter_dir.empty(), &tok, &in.forget, &in.retain, "--forget " + opt.forget,
                          &plain};
  res.attacks = attacks::run_attacks(t, ao);
  res.metrics["attacks"] = attacks::attacks_summary(res.attacks);
  write_file_atomic(opt.out_dir + "/metrics.json", res.metrics.dump(2) + "\n");
}

// The --mia-reference model, in the evaluated model's dtype and device; its vocabulary must be
// the evaluated model's (the documents are encoded once, with the evaluated model's tokenizer).
std::shared_ptr<model::CausalLM> load_reference(const EvalRunOptions& opt, const model::CausalLM& model) {
  model::LoadOptions lo;
  lo.dtype = model.dtype();
  lo.device = model.device();
  auto ref = model::CausalLM::load(opt.mia_reference, lo);
  ref->check_finite();
  if (ref->config().vocab_size != model.config().vocab_size)
    fail(cat("--mia-reference ", opt.mia_reference, ": vocab_size ", ref->config().vocab_size, ", the model's is ",
             model.config().vocab_size),
         "give a reference model with the evaluated model's tokenizer (e.g. the same base, never trained on the members)");
  return ref;
}

EvalRunResult run_with(model::CausalLM& model, const text::Tokenizer& tok, const EvalRunOptions& opt,
                       Inputs in) {
  const auto& forget = in.forget;
  const auto& retain = in.retain;
  const auto& mmlu_subjects = in.mmlu_subjects;
  // With several ranks every rank generates and scores its share of the batches; rank 0
  // gathers them and is the only one that writes (docs/distributed.md).
  const bool writer = dist::is_main();
  if (opt.attacks && dist::active())
    fail("--attacks runs in one process (the relearning attack trains its own adapter)",
         "evaluate with libu launch, then run `libu eval attack` without it");
  if (writer) make_dirs(opt.out_dir);
  const std::string out = opt.out_dir;
  if (writer) write_file_atomic(out + "/run.json", opt.options_json.dump(2) + "\n");

  EvalRunResult res;
  Timer timer;
  auto forget_pred = generate_predictions(model, tok, forget, opt.generation, "generate forget");
  if (writer) io::write_jsonl(out + "/forget.jsonl", prediction_lines(forget_pred));
  auto retain_pred = generate_predictions(model, tok, retain, opt.generation, "generate retain");
  if (writer) io::write_jsonl(out + "/retain.jsonl", prediction_lines(retain_pred));
  const double gen_s = timer.seconds();

  if (!opt.mia_dir.empty()) {
    MiaOptions mo = opt.mia;
    std::shared_ptr<model::CausalLM> ref;
    if (!opt.mia_reference.empty()) {
      ref = load_reference(opt, model);
      mo.reference = ref.get();
    }
    res.mia = run_mia(model, tok, opt.mia_dir, mo);
    if (writer) io::write_jsonl(out + "/mia.jsonl", mia_rows_json(*res.mia));
    if (res.mia->truncated)
      log_warn("mia: ", res.mia->truncated, " of ", res.mia->docs.size(), " documents truncated to ",
               opt.mia.max_length, " tokens");
    log_info("mia: loss AUC ", res.mia->auc.at("loss"), " over ", res.mia->docs.size(), " documents");
    if (res.mia->privleak.count("loss"))
      log_info("mia: PrivLeak (loss) ", res.mia->privleak.at("loss"), " % against --mia-reference");
  } else if (writer && path_exists(out + "/mia.jsonl")) {
    // A stale file would be scored as if it belonged to this model.
    std::filesystem::remove(out + "/mia.jsonl");
    log_warn(out, "/mia.jsonl from an earlier run removed (no --mia given)");
  }

  std::optional<double> mmlu_acc;
  if (!opt.mmlu_dir.empty()) {
    MmluOptions mo = opt.mmlu;
    mo.subjects = mmlu_subjects;
    res.mmlu = run_mmlu(model, tok, opt.mmlu_dir, mo);
    mmlu_acc = res.mmlu->accuracy;
    log_info("mmlu ", mo.shots, "-shot: ", res.mmlu->correct, "/", res.mmlu->questions, " = ", res.mmlu->accuracy);
  }
  // Teacher-forced memorisation of the answers (OpenUnlearning's EM and ES, memorisation.h).
  res.memorisation = {{"forget", memorisation(model, tok, forget, opt.mia.max_length, opt.mia.batch_size).to_json()},
                      {"retain", memorisation(model, tok, retain, opt.mia.max_length, opt.mia.batch_size).to_json()}};
  log_info("memorisation: forget EM ", res.memorisation["forget"]["exact_memorisation"], ", ES ",
           res.memorisation["forget"]["extraction_strength"], " (rows without answer tokens within ",
           opt.mia.max_length, " tokens skipped: ", res.memorisation["forget"]["skipped"], " forget, ",
           res.memorisation["retain"]["skipped"], " retain)");
  // TOFU's truth ratio, where the rows carry paraphrased and perturbed answers (truth_ratio.h).
  for (bool is_forget : {true, false}) {
    auto tr = truth_ratio(model, tok, is_forget ? forget : retain, is_forget, opt.mia.max_length, opt.mia.batch_size);
    if (tr.rows) res.truth_ratio[is_forget ? "forget" : "retain"] = tr.to_json(is_forget);
  }
  if (!in.general.empty()) {
    res.general = general_nll(model, tok, in.general, opt.mia);
    log_info("general: mean NLL ", res.general->nll, " over ", res.general->documents, " never-seen documents");
  }
  if (!writer) return res;

  // The eval score code path on the files just written (metrics.json == `libu eval score`).
  res.score = score_predictions_dir(out, mmlu_acc, ScoreOptions{});
  json m = semeval_to_json(res.score);
  if (res.mia) m["mia_attacks"] = mia_summary_json(*res.mia);
  if (res.mmlu) m["mmlu"] = mmlu_to_json(*res.mmlu);
  if (res.general) m["general"] = res.general->to_json(opt.general);
  m["memorisation"] = res.memorisation;
  if (!res.truth_ratio.is_null()) m["truth_ratio"] = res.truth_ratio;
  m["generation"] = {{"max_new_tokens", opt.generation.max_new_tokens},
                     {"batch_size", opt.generation.batch_size},
                     {"forget_rows", forget.size()},
                     {"retain_rows", retain.size()},
                     {"seconds", gen_s}};
  m["options"] = opt.options_json;
  res.metrics = m;
  auto rows = scored_rows_json(res.score, forget, retain);
  io::write_jsonl(out + "/rows.jsonl", rows);
  write_file_atomic(out + "/rows.csv", scored_rows_csv(rows));
  write_file_atomic(out + "/metrics.json", m.dump(2) + "\n");
  log_leaks(res.score.forget);
  if (opt.attacks) run_attacks_after(model, tok, opt, in, res);
  return res;
}

}  // namespace

EvalRunResult eval_run(model::CausalLM& model, const text::Tokenizer& tok, const EvalRunOptions& opt) {
  return run_with(model, tok, opt, read_inputs(opt));
}

namespace {

std::shared_ptr<model::CausalLM> load_model(const EvalRunOptions& opt) {
  model::LoadOptions lo;
  if (opt.dtype != "auto") lo.dtype = model::parse_dtype(opt.dtype);
  lo.device = dist::rank_device(model::parse_device(opt.device));
  auto model = model::CausalLM::load(opt.model_dir, lo);
  if (!opt.adapter_dir.empty()) model::load_adapter(*model, opt.adapter_dir);
  model->check_finite();
  log_info("model ", opt.model_dir, opt.adapter_dir.empty() ? "" : cat(" + adapter ", opt.adapter_dir), " (",
           model::arch_name(model->config().arch), ", ", model::dtype_str(model->dtype()), ", ",
           model->device().str(), ")");
  return model;
}

}  // namespace

EvalRunResult eval_run(const EvalRunOptions& opt) {
  Inputs in = read_inputs(opt);
  auto tok = text::Tokenizer::from_model_dir(opt.model_dir);
  auto model = load_model(opt);
  return run_with(*model, tok, opt, std::move(in));
}

json eval_attack(const EvalRunOptions& opt, const attacks::AttackOptions& ao) {
  if (dist::active())
    fail("eval attack runs in one process (the relearning attack trains its own adapter)",
         "run it without libu launch");
  Inputs in = read_inputs(opt);
  auto tok = text::Tokenizer::from_model_dir(opt.model_dir);
  auto model = load_model(opt);
  make_dirs(opt.out_dir);
  write_file_atomic(opt.out_dir + "/run.json", opt.options_json.dump(2) + "\n");
  attacks::AttackTarget t{model.get(), !opt.adapter_dir.empty(), &tok, &in.forget, &in.retain, "--forget " + opt.forget,
                          nullptr};
  return attacks::run_attacks(t, ao);
}

}  // namespace libu::eval
