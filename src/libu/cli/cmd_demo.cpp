// libu demo — the embedded end-to-end demonstration (what `make demo` runs). With no
// downloads: synthesise fictional people, train a tokenizer, init a tiny OLMo, memorise the
// biographies, evaluate, unlearn with three methods from the same memorised model,
// evaluate again, and write an HTML report. Each step is the same code path as the
// corresponding CLI command (invoked in-process).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/log.h"
#include "libu/core/timing.h"
#include "libu/io/semeval_id.h"
#include "libu/data/synth.h"
#include "libu/io/jsonl.h"

namespace libu::cli {
namespace {

namespace fsys = std::filesystem;

void invoke(const std::string& name, const std::vector<std::string>& args) { invoke_command(name, args, "demo"); }

// MIA sets: members = the memorised forget documents (sc rows); non-members = the same kind of
// documents of people generated for this role only, never trained on.
void write_mia(const data::SynthDataset& d, const std::string& dir) {
  make_dirs(dir);
  auto docs = [](const std::vector<io::Record>& rows, size_t cap) {
    std::vector<nlohmann::json> out;
    for (auto& r : rows)
      if (io::semeval_kind(r.id) == "sc" && out.size() < cap)
        out.push_back({{"id", r.id}, {"document", r.input + r.output}});
    return out;
  };
  auto mem = docs(d.forget, SIZE_MAX);
  io::write_jsonl(dir + "/member.jsonl", mem);
  io::write_jsonl(dir + "/nonmember.jsonl", docs(d.nonmember, mem.size()));
}

void write_corpus(const data::SynthDataset& d, const std::string& path) {
  std::string s;
  for (auto* set : {&d.forget, &d.retain, &d.general, &d.val_forget, &d.val_retain})
    for (auto& r : *set) s += r.input + r.output + "\n";
  write_file_atomic(path, s);
}

// The rows each role needs as files: what the model memorises (every forget and retain person,
// validation people included), and what unlearning is asked to forget and to keep (the
// reported people plus the validation people: validation rows are held out of reporting, not
// of training, so they behave like the reported rows; docs/unlearning.md "Calibration").
void write_role_files(const data::SynthDataset& d, const std::string& data) {
  auto join = [](std::initializer_list<const std::vector<io::Record>*> sets) {
    std::vector<io::Record> out;
    for (auto* s : sets) out.insert(out.end(), s->begin(), s->end());
    return out;
  };
  io::write_records_jsonl(data + "/memorise.jsonl", join({&d.forget, &d.val_forget, &d.retain, &d.val_retain}));
  io::write_records_jsonl(data + "/unlearn_forget.jsonl", join({&d.forget, &d.val_forget}));
  io::write_records_jsonl(data + "/unlearn_retain.jsonl", join({&d.retain, &d.val_retain}));
}

// Flags of one unlearning run (issue #23: a fair comparison). Every method gets the same
// adapter (LoRA r 16, alpha 32 on all seven linear layers), the same selection (validation rows,
// holdout, --best calibrated, validation interval) and the same step budget (`max_steps`: the
// steps of --unlearn-epochs over the forget rows at --retain-ratio, what libu's plan holds).
// Each searches its own learning rate with --auto (2 rates around its base) unless its preset
// fixes one: libu-seed's (the published 3e-5) and libu's (5e-4, the demo's --libu-lr).
std::vector<std::string> method_args(const std::string& method, const Options& o, const std::string& data,
                                     int64_t max_steps) {
  std::vector<std::string> a = {"--lora-r", "16", "--lora-alpha", "32", "--lora-targets",
                                "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj", "--val-forget",
                                data + "/val_forget.jsonl", "--val-retain", data + "/val_retain.jsonl", "--holdout",
                                data + "/holdout.jsonl", "--eval-every", o.str("eval-every"), "--best", "calibrated",
                                "--max-steps", std::to_string(max_steps)};
  auto add = [&](std::initializer_list<std::string> x) { a.insert(a.end(), x); };
  const std::vector<std::string> search = {"--auto", "--auto-trials", "2"};
  if (method == "libu-seed") {
    add({"--preset", "libu-seed"});
  } else if (method == "libu") {
    add({"--preset", "libu", "--lr", o.str("libu-lr"), "--epochs", o.str("unlearn-epochs"), "--retain-ratio",
         o.str("retain-ratio"), "--schedule", "cosine"});
  } else if (method == "sugd") {
    // One SUGD epoch carries 8x the rows of the others (7 retain chunks per forget chunk); the
    // step budget cuts it to the same number of steps.
    add({"--preset", "sugd", "--lr", o.str("unlearn-lr"), "--epochs", "1", "--schedule", "cosine"});
    a.insert(a.end(), search.begin(), search.end());
  } else {
    add({"--preset", "none", "--method", method, "--optimizer", "adamw", "--lr", o.str("unlearn-lr"), "--epochs",
         o.str("unlearn-epochs"), "--retain-ratio", o.str("retain-ratio"), "--schedule", "cosine"});
    a.insert(a.end(), search.begin(), search.end());
  }
  return a;
}

// libu's plan length: per epoch, ⌈forget rows / batch⌉ forget micro-batches, each followed by
// `ratio` retain ones (plan.h interleaved_plan), with one optimizer step per micro-batch.
int64_t shared_step_budget(size_t forget_rows, int64_t batch, double ratio, int64_t epochs) {
  const int64_t nb = (int64_t(forget_rows) + batch - 1) / batch;
  return epochs * (nb + int64_t(std::ceil(double(nb) * ratio)));
}

// The hide-only control for the robustness attacks (docs/robustness.md): the forget rows
// with a fixed refusal as the answer, next to the retain rows as they are. An adapter trained
// on this passes greedy forget metrics while the knowledge stays in the weights.
void write_refusal(const data::SynthDataset& d, const std::string& path) {
  std::vector<io::Record> rows;
  for (auto* set : {&d.forget, &d.val_forget})
    for (io::Record r : *set) {
      r.output = "I cannot share that.";
      rows.push_back(std::move(r));
    }
  for (auto* set : {&d.retain, &d.val_retain}) rows.insert(rows.end(), set->begin(), set->end());
  io::write_records_jsonl(path, rows);
}

// Robustness controls (--controls): "retrain" memorises only the retain people (the model a
// forget request would ideally produce, attacked as the never-trained baseline); "refuse"
// trains the hide-only adapter on the memorised model. Returns the run folders to report.
struct Controls {
  std::string retrained_model;          // "" when not built
  std::vector<std::string> refuse_runs;  // run folders (adapter/) to evaluate like the methods
};

int run_demo(const Options& o) {
  Timer timer;
  std::string out = o.str("out"), seed = o.str("seed"), threads = o.str("threads");
  auto methods = o.list("methods");
  make_dirs(out);
  std::string data = out + "/data";
  data::SynthOptions so;
  so.people = int(o.i64("people"));
  so.seed = uint64_t(o.i64("seed"));
  so.val_people = std::max(2, so.people / 5);
  so.holdout_people = std::max(2, so.people / 4);
  so.nonmember_people = std::max(2, so.people / 2);
  auto ds = data::synthesize(so);
  data::write_synth(ds, data);
  write_role_files(ds, data);
  write_mia(ds, data + "/mia");
  write_corpus(ds, out + "/corpus.txt");
  invoke("tokenizer train", {"--input", out + "/corpus.txt", "--vocab-size", o.str("vocab-size"), "--out",
                             out + "/tokenizer.json"});
  invoke("init", {"--arch", "olmo", "--preset", "tiny", "--tokenizer", out + "/tokenizer.json", "--seed", seed,
                  "--out", out + "/base"});
  std::vector<std::string> common = {"--dtype", "fp32", "--seed", seed, "--threads", threads};
  for (auto& p : packing_args(o)) common.push_back(p);
  auto with = [&](std::vector<std::string> a) {
    a.insert(a.end(), common.begin(), common.end());
    return a;
  };
  auto memorise = [&](const std::string& rows, const std::string& dir) {
    invoke("train", with({"--model", out + "/base", "--data", rows, "--full", "--add-eos", "--lr", o.str("train-lr"),
                          "--epochs", o.str("train-epochs"), "--batch-size", "16", "--schedule", "cosine", "--warmup",
                          "10", "--out", dir}));
  };
  memorise(data + "/memorise.jsonl", out + "/memorised");
  std::string memorised = out + "/memorised/model";
  auto attacks = o.list("attacks");
  if (attacks.size() == 1 && attacks[0] == "none") attacks.clear();
  auto controls = o.list("controls");
  if (controls.size() == 1 && controls[0] == "none") controls.clear();
  auto wants = [&](const char* c) { return std::find(controls.begin(), controls.end(), c) != controls.end(); };
  for (auto& c : controls)
    if (c != "retrain" && c != "refuse") fail(cat("--controls: unknown control '", c, "'"), "use retrain, refuse or none");
  Controls ctl;
  if (wants("retrain") && !attacks.empty()) {
    io::write_records_jsonl(data + "/retain_only.jsonl", [&] {
      std::vector<io::Record> r = ds.retain;
      r.insert(r.end(), ds.val_retain.begin(), ds.val_retain.end());
      return r;
    }());
    memorise(data + "/retain_only.jsonl", out + "/retrained");
    ctl.retrained_model = out + "/retrained/model";
  }
  if (wants("refuse")) {
    write_refusal(ds, data + "/refuse.jsonl");
    std::string dir = out + "/control-refuse";
    invoke("train", with({"--model", memorised, "--data", data + "/refuse.jsonl", "--add-eos", "--loss-on", "answer",
                          "--lora-targets", "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj", "--lr",
                          o.str("unlearn-lr"), "--epochs", "10", "--batch-size", "8", "--no-merge", "--out", dir}));
    ctl.refuse_runs.push_back(dir);
  }
  // Reports cover only the reported people: never the validation, holdout or non-member ones.
  auto eval = [&](const std::string& model, const std::string& adapter, const std::string& dir) {
    std::vector<std::string> a = {"--model", model, "--forget", data + "/forget.jsonl", "--retain",
                                  data + "/retain.jsonl", "--mia", data + "/mia", "--max-new-tokens",
                                  o.str("max-new-tokens"), "--batch-size", "16", "--dtype", "fp32", "--out", dir,
                                  "--threads", threads};
    for (auto& p : packing_args(o)) a.push_back(p);
    // The retrained control never saw the forget people: the Reference MIA and PrivLeak against it.
    if (!ctl.retrained_model.empty()) a.insert(a.end(), {"--mia-reference", ctl.retrained_model});
    if (!adapter.empty()) a.insert(a.end(), {"--adapter", adapter});
    if (!adapter.empty() && !attacks.empty()) {
      std::string list;
      for (auto& x : attacks) list += (list.empty() ? "" : ",") + x;
      a.insert(a.end(), {"--attacks", list, "--seed", seed});
      bool relearn = std::find(attacks.begin(), attacks.end(), "relearn") != attacks.end();
      if (relearn) a.insert(a.end(), {"--relearn-lr", o.str("relearn-lr")});
      if (relearn && !ctl.retrained_model.empty()) a.insert(a.end(), {"--baseline", ctl.retrained_model});
    }
    invoke("eval run", a);
  };
  eval(memorised, "", out + "/eval-before");
  std::vector<std::string> runs;
  for (const std::string& method : methods) {
    std::string dir = out + "/unlearn-" + method;
    std::vector<std::string> a = {"--model", memorised, "--forget", data + "/unlearn_forget.jsonl", "--retain",
                                  data + "/unlearn_retain.jsonl", "--out", dir, "--no-merge", "--batch-size", "8", "--add-eos"};
    auto m = method_args(method, o, data,
                         shared_step_budget(ds.forget.size() + ds.val_forget.size(), 8, o.f64("retain-ratio"),
                                            o.i64("unlearn-epochs")));
    a.insert(a.end(), m.begin(), m.end());
    invoke("unlearn", with(a));
    eval(memorised, dir + "/adapter", dir + "/eval");
    runs.push_back(dir);
  }
  for (const std::string& dir : ctl.refuse_runs) {
    eval(memorised, dir + "/adapter", dir + "/eval");
    runs.push_back(dir);
  }
  std::vector<std::string> ra = runs;
  ra.insert(ra.end(), {"--before", out + "/eval-before", "--out", out + "/report.html"});
  log_info("demo finished in ", timer.seconds(), " s");
  invoke("report", ra);
  return 0;
}

// The demo's options, plus --packing / --pack-length, which it passes on to every training and
// evaluation step.
std::vector<OptionSpec> demo_options() {
  std::vector<OptionSpec> v = {{"out", OptType::Path, "demo-out", "output folder"},
    {"people", OptType::Int, "40", "reported fictional people (half forget, half retain); validation, "
                                   "holdout and MIA non-member people are added on top"},
    {"seed", OptType::Int, "0", "seed for everything (same seed, same demo)"},
    {"methods", OptType::String, "libu,libu-seed,gd",
     "comma list of unlearning runs: libu, libu-seed, gd, npo, simnpo, sugd, ga, kl, undial, rmu, idkdpo"},
    {"vocab-size", OptType::Int, "2000", "tokenizer size"},
    {"train-epochs", OptType::Int, "40", "memorisation epochs (full fine-tuning)"},
    {"train-lr", OptType::Float, "3e-3", "memorisation learning rate"},
    {"unlearn-epochs", OptType::Int, "5", "unlearning epochs (selection and early stopping pick the state)"},
    {"unlearn-lr", OptType::Float, "1e-3", "learning rate of the baselines (AdamW)"},
    {"libu-lr", OptType::Float, "5e-4", "phase-2 learning rate of the libu preset (phase 1 searches its own)"},
    {"retain-ratio", OptType::Float, "2", "retain micro-batches per forget micro-batch"},
    {"eval-every", OptType::Int, "5", "validation interval (steps) for selection and early stopping"},
    {"max-new-tokens", OptType::Int, "48", "generation length in evaluations"},
    {"attacks", OptType::String, "relearn,quantize",
     "robustness attacks on every unlearned model (comma list: relearn, quantize, paraphrase; none)"},
    {"relearn-lr", OptType::Float, "3e-3",
     "relearning attack learning rate (default: the memorisation rate, --train-lr: the attacker "
     "fine-tunes like whoever trained the model)"},
    {"controls", OptType::String, "retrain,refuse",
     "robustness controls: retrain (memorise the retain people only: the never-trained baseline), "
     "refuse (a hide-only refusal adapter, reported as control-refuse); none"}};
  v.insert(v.end(), packing_options().begin(), packing_options().end());
  return v;
}

Registrar demo_reg({"demo",
                    "end-to-end demo on synthetic people: memorise, evaluate, unlearn (libu, libu-seed, gd, ...), report",
                    demo_options(), run_demo});

}  // namespace
}  // namespace libu::cli
