#include "libu/unlearn/run.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/log.h"
#include "libu/core/timing.h"
#include "libu/core/version.h"
#include "libu/dist/dist.h"

#include <torch/version.h>
#include "libu/io/records.h"
#include "libu/model/export.h"
#include "libu/model/peft_io.h"
#include "libu/model/runtime.h"
#include "libu/model/tensor_io.h"
#include "libu/text/tokenizer.h"
#include "libu/unlearn/auto_lr.h"
#include "libu/unlearn/calibration.h"
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {

using nlohmann::json;

namespace {

// Tokenises records into examples and logs how many (and how many were truncated).
std::vector<data::Example> tokenize_rows(const std::vector<io::Record>& recs, const text::Tokenizer& tok,
                                         const data::ExampleOptions& eo, const std::string& what,
                                         const std::string& from) {
  data::BuildStats st;
  auto ex = data::build_examples(
      recs,
      [&](const std::string& s) {
        auto ids = tok.encode_ids(s, false);
        return std::vector<int64_t>(ids.begin(), ids.end());
      },
      eo, &st);
  log_info(what, ": ", st.examples, " rows from ", from,
           st.truncated ? cat(" (", st.truncated, " truncated to --max-length ", eo.max_length, ")") : "");
  return ex;
}

std::vector<data::Example> examples(const std::string& path, const std::string& split, const text::Tokenizer& tok,
                                    const data::ExampleOptions& eo, const char* what) {
  if (path.empty()) return {};
  std::vector<io::Record> recs;
  std::stringstream paths(path);  // several paths: '\n'-separated (repeated --forget / --retain)
  for (std::string p; std::getline(paths, p);) {
    auto part = std::filesystem::is_directory(p) ? io::load_split(p, split) : io::load_records(p);
    recs.insert(recs.end(), part.begin(), part.end());
  }
  std::string shown = path;
  std::replace(shown.begin(), shown.end(), '\n', ' ');
  return tokenize_rows(recs, tok, eo, what, shown);
}

// --holdout / --general: never-seen rows, always scored on every token (like the official MIA
// documents).
std::vector<data::Example> never_seen_examples(const std::string& path, const text::Tokenizer& tok,
                                               data::ExampleOptions eo, const char* flag) {
  auto recs = io::load_rows_or_documents(path, flag + 2);
  if (recs.empty())
    fail(cat(path, ": ", flag, " has no rows"),
         cat(flag, " needs never-seen rows (or {\"document\": ...} lines)",
             std::string(flag) == "--holdout" ? " of the same kind as the forget set" : ""));
  eo.loss_on = data::LossOn::Full;
  return tokenize_rows(recs, tok, eo, flag + 2, path);
}

// The calibration target cannot aim when the holdout is not of the forget rows' kind (a
// holdout of whole documents against QA rows) or does not look never-seen. Each problem is
// logged and returned, for run.json and the report.
json calibration_warnings(const UnlearnData& d, const std::vector<data::Example>& holdout, const Calibration& c0) {
  json w = json::array();
  std::set<std::string> fk, hk;
  for (auto& e : d.forget) fk.insert(row_kind(e.id));
  for (auto& e : holdout) hk.insert(row_kind(e.id));
  std::string missing;
  for (auto& k : fk)
    if (!hk.count(k)) missing += cat(missing.empty() ? "" : ", ", k.empty() ? "other" : k);
  if (!missing.empty())
    w.push_back(cat("the holdout has no rows of the forget set's kind(s) ", missing,
                    ": those forget rows are aimed at the holdout's overall NLL, which is another kind of text "
                    "(give the holdout rows with the same sc/qa ids as the forget rows)"));
  if (!(c0.holdout_nll > c0.forget_nll))
    w.push_back(cat("the holdout NLL (", c0.holdout_nll, ") is not above the forget NLL (", c0.forget_nll,
                    "): the holdout does not look never-seen to this model, so calibration has nothing to aim at"));
  for (auto& x : w) log_warn("calibration: ", x.get<std::string>());
  return w;
}

// --mia-kinds must name a kind that the validation forget rows have, or the MIA score would
// silently average every kind.
void check_mia_kinds(const std::vector<std::string>& kinds, const std::vector<data::Example>& val_forget) {
  if (kinds.empty()) return;
  std::set<std::string> present;
  for (auto& e : val_forget) present.insert(row_kind(e.id));
  for (auto& k : kinds)
    if (present.count(k)) return;
  std::string have;
  for (auto& k : present) have += (have.empty() ? "" : ", ") + (k.empty() ? std::string("(none)") : k);
  fail(cat("--mia-kinds names no kind of the validation forget rows (they have: ", have, ")"),
       "name one of those kinds (sc: whole documents, qa: question-answer rows), or pass --mia-kinds all");
}

// Validation rows, the holdout and τ (docs/eval.md "MIA"; docs/unlearning.md "Calibration").
// Measured on the model before phase 1 (LoRA B = 0, so identical to the input model); also
// on --resume, where it gives the same τ. Returns the run.json "calibration" block.
json setup_calibration(model::CausalLM& m, UnlearnData& d, const std::vector<data::Example>& retain_answers,
                       UnlearnConfig& c) {
  auto& t = c.trainer;
  bool calib_needed = t.best_rule == BestRule::Calibrated || t.objective == Objective::Calibrated;
  if (calib_needed && t.holdout.empty())
    fail(cat(t.best_rule == BestRule::Calibrated ? "--best calibrated" : "--objective calibrated",
             " needs never-seen rows to calibrate against"),
         "pass --holdout FILE (e.g. SemEval's mia/nonmember.jsonl), or choose another --best / --objective");
  if (!t.holdout.empty()) {
    t.val_forget = selection_rows(t.val_forget, d.forget, "--val-forget", "calibrating");
    t.val_retain = selection_rows(t.val_retain, retain_answers, "--val-retain", "bounding the retain NLL");
  }
  if (t.val_forget.empty() && t.val_retain.empty()) return nullptr;
  check_mia_kinds(t.mia_kinds, t.val_forget);
  CalibrationSets cs{&t.val_forget, &t.holdout, &t.val_retain, &t.general, d.pad_id, t.val_batch, &t.mia_kinds};
  Calibration c0 = measure_calibration(m, cs);
  t.base_forget_nll = c0.forget_nll;
  t.base_retain_nll = c0.retain_nll;
  t.base_utility_nll = c0.general_nll;
  json out = c0.to_json();
  out["utility_guard"] = {{"general_rows", t.general.size()},
                          {"base_nll", std::isnan(t.base_utility_nll) ? json(nullptr) : json(t.base_utility_nll)},
                          {"tolerance", t.utility_tolerance}};
  if (t.holdout.empty()) return out;
  // Each forget row aims at the never-seen level of its own kind (sc / qa / other).
  HoldoutLevels lv = holdout_levels(t.holdout, c0.holdout_rows);  // no second pass over the holdout
  for (auto& e : d.forget) e.target_nll = lv.of(e.id);
  set_forget_weights(d.forget, c.calib_weight);
  if (c.calib_target == "tokens") {  // per-token targets: the holdout's token-NLL quantiles per kind
    TokenQuantiles tq = holdout_token_quantiles(m, t.holdout, d.pad_id, t.val_batch);
    for (auto& e : d.forget) e.target_kind = tq.index_of(e.id);
    t.objective_params.calib_quantiles = tq.table.to(m.device());
    out["token_quantiles"] = tq.to_json();
  }
  if (c.calib_target == "vocab") {  // per-token targets: the holdout's mean NLL of each token id
    auto table = holdout_vocab_targets(m, t.holdout, d.pad_id, t.val_batch, m.config().vocab_size);
    t.objective_params.calib_vocab = table.to(m.device());
    out["vocab_targets"] = {{"min", table.min().item<double>()}, {"max", table.max().item<double>()},
                            {"mean", table.mean().item<double>()}};
  }
  out["calib_target"] = c.calib_target;
  const auto& op = c.trainer.objective_params;
  out["calib_shape"] = !op.calib_npo ? "hinge" : op.calib_per_token ? "npo-token" : "npo";
  double tau_val = 0;
  for (auto& e : t.val_forget) tau_val += (e.target_nll = lv.of(e.id));
  tau_val /= double(t.val_forget.size());
  t.objective_params.calib_tau = tau_val;
  out["tau"] = tau_val;
  out["tau_by_kind"] = lv.to_json();
  out["holdout_rows"] = t.holdout.size();
  std::map<std::string, size_t> kind_rows;
  for (auto& e : d.forget) ++kind_rows[row_kind(e.id)];
  for (auto& [k, n] : kind_rows) out["forget_rows_by_kind"][k.empty() ? "other" : k] = n;
  out["calib_weight"] = c.calib_weight;
  log_info("calibration target: holdout NLL tau = ", tau_val, " on the validation forget rows (by kind: ",
           lv.to_json().dump(), "); validation forget NLL ", c0.forget_nll, ", AUC ", c0.auc, ", MIA score ", c0.mia);
  out["warnings"] = calibration_warnings(d, t.holdout, c0);
  return out;
}

int64_t trainable_count(const model::CausalLM& m) {
  int64_t n = 0;
  for (auto& kv : m.trainable()) n += kv.second.numel();
  return n;
}

}  // namespace

json run_unlearn(UnlearnConfig c) {
  Timer timer;
  if (c.out_dir.empty()) fail("--out is required");
  if (std::filesystem::exists(c.model_dir) && std::filesystem::exists(c.out_dir) &&
      std::filesystem::equivalent(c.model_dir, c.out_dir))
    fail(cat(c.out_dir, ": the output folder is the input model folder"), "choose another --out");
  if (dist::active() && c.auto_lr)
    fail("--auto runs in one process (its trials share files under OUT/auto)",
         "run --auto without libu launch, then train the chosen --lr on several ranks");
  if (dist::is_main()) {
    require_writable_dir(c.out_dir, "--out");
    remove_stale_temporaries(c.out_dir);  // what a killed run left (docs/hardening.md)
  }  // only rank 0 writes (docs/distributed.md)
  model::LoadOptions lo;
  lo.dtype = model::parse_dtype(c.dtype);
  lo.device = dist::rank_device(model::parse_device(c.device));
  auto m = model::CausalLM::load(c.model_dir, lo);
  m->check_finite();
  auto tok = text::Tokenizer::from_model_dir(c.model_dir);
  m->set_checkpointing(c.checkpointing);
  data::ExampleOptions eo;
  eo.loss_on = c.loss_on == "answer" ? data::LossOn::Answer : data::LossOn::Full;
  eo.max_length = c.max_length;
  if (c.add_eos && tok.eos_id()) eo.eos_id = int64_t(*tok.eos_id());
  UnlearnData d;
  d.pad_id = tok.pad_id() ? int64_t(*tok.pad_id()) : (m->config().pad_token_id ? *m->config().pad_token_id : 0);
  auto method = make_method(c.method);
  d.forget = examples(c.forget_path, "forget", tok, eo, c.method == "sft" ? "train" : "forget");
  d.retain = examples(c.retain_path, "retain", tok, eo, "retain");
  if (!c.anchor_path.empty()) {
    // --anchor: never-seen text kept where the model had it (KL to the adapter-off model), never
    // trained towards its labels; it joins the retain micro-batches.
    auto anchor = never_seen_examples(c.anchor_path, tok, eo, "--anchor");
    for (auto& e : anchor) e.anchor = true;
    d.retain.insert(d.retain.end(), anchor.begin(), anchor.end());
  }
  if (c.method == "sft") {  // train on everything given
    d.forget.insert(d.forget.end(), d.retain.begin(), d.retain.end());
    d.retain.clear();
  }
  c.trainer.val_forget = examples(c.val_forget_path, "forget", tok, eo, "validation forget");
  // Retain utility is measured on the answers (output tokens given the input), whatever
  // --loss-on says: that is what generation keeps or loses (docs/unlearning.md "Calibration").
  data::ExampleOptions eo_answer = eo;
  eo_answer.loss_on = data::LossOn::Answer;
  c.trainer.val_retain = examples(c.val_retain_path, "retain", tok, eo_answer, "validation retain (answers)");
  std::vector<data::Example> retain_answers;
  if (!c.holdout_path.empty() && c.val_retain_path.empty() && !c.retain_path.empty())
    retain_answers = examples(c.retain_path, "retain", tok, eo_answer, "retain (answers, for validation)");
  if (!c.holdout_path.empty()) c.trainer.holdout = never_seen_examples(c.holdout_path, tok, eo, "--holdout");
  if (!c.general_path.empty()) c.trainer.general = never_seen_examples(c.general_path, tok, eo, "--general");
  if (c.objective.empty()) c.objective = objective_name(method->default_objective());
  c.trainer.objective = parse_objective(c.objective);
  if (c.trainer.objective == Objective::IdkDPO)
    c.trainer.objective_params.idk_answers = idk_answer_ids(tok, c.idk_file, eo.eos_id);
  c.trainer.out_dir = c.out_dir;
  if (c.full) {
    m->enable_full_training();
  } else {
    model::LoraConfig lc{c.lora_r, c.lora_alpha, c.lora_dropout, c.lora_targets};
    m->add_lora(lc, c.plan.seed);
  }
  json calibration = setup_calibration(*m, d, retain_answers, c);
  torch::manual_seed(c.plan.seed);
  json phase1 = nullptr;
  bool resuming = c.trainer.resume && dist::broadcast_flag(Trainer::latest_checkpoint(c.out_dir) >= 0);
  if (c.trainer.resume && !resuming) log_warn("--resume: no checkpoint in ", c.out_dir, "; starting fresh");
  c.trainer.resume = resuming;
  if (!resuming) phase1 = method->prepare(*m, d, c);
  if (c.fisher_step > 0) {
    if (resuming) fail("--fisher-step cannot resume: the scale comes from phase 1", "start the run afresh");
    c.trainer.step_scale = method->step_scale(c);
    if (c.trainer.step_scale.empty())
      fail("--fisher-step needs LIBU phase 1's Fisher", "use --method libu with --phase1 (the default)");
  }
  json auto_trials = nullptr;
  TrainResult r = c.auto_lr ? run_auto_lr(*m, d, *method, c, auto_trials)
                            : Trainer(*m, d, method->plan(d, c), c.trainer).run();
  if (!dist::is_main()) return nullptr;  // rank 0 writes the outputs
  if (!r.best.is_null()) {
    log_info("best checkpoint: step ", r.best["step"].get<int64_t>(), " (", r.best.dump(), ")");
    load_trainable(*m, c.out_dir + "/best");
  }
  if (m->lora()) model::save_adapter(*m, c.out_dir + "/adapter");
  if (!c.no_merge) {
    auto out_dt = c.merge_dtype.empty() ? model::parse_dtype(m->config().torch_dtype == "bfloat16" ? "bf16" : "fp32")
                                        : model::parse_dtype(c.merge_dtype);
    model::export_merged(*m, c.out_dir + "/model", out_dt);
  }
  json run = {{"libu_version", LIBU_VERSION_STRING}, {"torch_version", TORCH_VERSION},
              {"torch_threads", model::threads()}, {"seed", c.plan.seed}, {"device", c.device},
              {"world_size", dist::world_size()}, {"dist_backend", dist::backend_name()},
              {"options", c.resolved}, {"method", c.method}, {"objective", c.objective},
              {"phase1", phase1}, {"calibration", calibration}, {"auto", auto_trials},
              {"best_rule", best_rule_name(c.trainer.best_rule)}, {"stopped_by_overshoot", r.stopped_by_overshoot},
              {"stopped_by_utility", r.stopped_by_utility},
              {"last_validation", r.last_validation}, {"steps_done", r.steps_done}, {"total_steps", r.total_steps},
              {"start_step", r.start_step}, {"stopped_by_budget", r.stopped_by_budget},
              {"nonfinite_skips", r.nonfinite_skips}, {"best", r.best}, {"train_wall_s", r.wall_s},
              {"wall_s", timer.seconds()}, {"trainable_parameters", trainable_count(*m)},
              {"forget_rows", d.forget.size()}, {"retain_rows", d.retain.size()}};
  write_file_atomic(c.out_dir + "/run.json", run.dump(2) + "\n");
  return run;
}

}  // namespace libu::unlearn
