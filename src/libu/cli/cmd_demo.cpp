// libu demo — the embedded end-to-end demonstration (what `make demo` runs). With no
// downloads: synthesise fictional people, train a tokenizer, init a tiny OLMo, memorise the
// biographies, evaluate, unlearn with three methods from the same memorised model,
// evaluate again, and write an HTML report. Each step is the same code path as the
// corresponding CLI command (invoked in-process).
#include <filesystem>
#include <fstream>
#include <iostream>

#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/log.h"
#include "libu/core/timing.h"
#include "libu/data/synth.h"
#include "libu/io/jsonl.h"

namespace libu::cli {
namespace {

namespace fsys = std::filesystem;

// Runs another subcommand in-process with the given flags.
void invoke(const std::string& name, const std::vector<std::string>& args) {
  const Command* c = find_command(name);
  if (!c) fail_internal("demo: command '" + name + "' is not registered");
  log_info("== libu ", name);
  Options o = Options::parse(c->options, args, c->positionals);
  if (c->run(o) != 0) fail(cat("demo: step `libu ", name, "` failed"));
}

// MIA sets: members = the memorised forget biographies; non-members = biographies of other
// fictional people generated the same way but never trained on.
void write_mia(const data::SynthDataset& d, const data::SynthDataset& unseen, const std::string& dir) {
  make_dirs(dir);
  std::vector<nlohmann::json> mem, non;
  for (auto& r : d.forget)
    if (r.id.size() > 3 && r.id.compare(r.id.size() - 3, 2, "sc") == 0)
      mem.push_back({{"id", r.id}, {"document", r.input + r.output}});
  for (auto& r : unseen.forget)
    if (r.id.size() > 3 && r.id.compare(r.id.size() - 3, 2, "sc") == 0 && non.size() < mem.size())
      non.push_back({{"id", r.id}, {"document", r.input + r.output}});
  io::write_jsonl(dir + "/member.jsonl", mem);
  io::write_jsonl(dir + "/nonmember.jsonl", non);
}

void write_corpus(const data::SynthDataset& d, const std::string& path) {
  std::string s;
  for (auto* set : {&d.forget, &d.retain, &d.general})
    for (auto& r : *set) s += r.input + r.output + "\n";
  write_file_atomic(path, s);
}

int run_demo(const Options& o) {
  Timer timer;
  std::string out = o.str("out"), seed = o.str("seed"), threads = o.str("threads");
  make_dirs(out);
  std::string data = out + "/data";
  data::SynthOptions so;
  so.people = int(o.i64("people"));
  so.seed = uint64_t(o.i64("seed"));
  auto ds = data::synthesize(so);
  data::write_synth(ds, data);
  so.seed += 7919;
  write_mia(ds, data::synthesize(so), data + "/mia");
  write_corpus(ds, out + "/corpus.txt");
  invoke("tokenizer train", {"--input", out + "/corpus.txt", "--vocab-size", o.str("vocab-size"), "--out",
                             out + "/tokenizer.json"});
  invoke("init", {"--arch", "olmo", "--preset", "tiny", "--tokenizer", out + "/tokenizer.json", "--seed", seed,
                  "--out", out + "/base"});
  const std::vector<std::string> common = {"--dtype", "fp32", "--seed", seed, "--threads", threads};
  auto with = [&](std::vector<std::string> a) {
    a.insert(a.end(), common.begin(), common.end());
    return a;
  };
  invoke("train", with({"--model", out + "/base", "--data", data + "/forget.jsonl", "--retain", data + "/retain.jsonl",
                        "--full", "--add-eos", "--lr", o.str("train-lr"), "--epochs", o.str("train-epochs"), "--batch-size", "16",
                        "--schedule", "cosine", "--warmup", "10", "--out", out + "/memorised"}));
  std::string memorised = out + "/memorised/model";
  auto eval = [&](const std::string& model, const std::string& adapter, const std::string& dir) {
    std::vector<std::string> a = {"--model", model, "--forget", data + "/forget.jsonl", "--retain",
                                  data + "/retain.jsonl", "--mia", data + "/mia", "--max-new-tokens",
                                  o.str("max-new-tokens"), "--batch-size", "16", "--dtype", "fp32", "--out", dir,
                                  "--threads", threads};
    if (!adapter.empty()) a.insert(a.end(), {"--adapter", adapter});
    invoke("eval run", a);
  };
  eval(memorised, "", out + "/eval-before");
  std::vector<std::string> runs;
  for (const std::string preset : {"libu", "libu-seed", "gd"}) {
    std::string dir = out + "/unlearn-" + preset;
    std::vector<std::string> a = {"--model", memorised, "--forget", data + "/forget.jsonl", "--retain",
                                  data + "/retain.jsonl", "--out", dir, "--no-merge", "--batch-size", "8", "--add-eos",
                                  "--retain-ratio", o.str("retain-ratio")};
    if (preset == "gd") a.insert(a.end(), {"--preset", "none", "--method", "gd", "--optimizer", "adamw", "--lr",
                                           o.str("unlearn-lr"), "--epochs", o.str("unlearn-epochs")});
    else a.insert(a.end(), {"--preset", preset, "--epochs", o.str("unlearn-epochs")});
    // LIBU selects its best state on held-out rows (the demo reuses the forget/retain files).
    if (preset == "libu")
      a.insert(a.end(), {"--lr", o.str("libu-lr"), "--val-forget", data + "/forget.jsonl", "--val-retain",
                         data + "/retain.jsonl", "--eval-every", "10"});
    invoke("unlearn", with(a));
    eval(memorised, dir + "/adapter", dir + "/eval");
    runs.push_back(dir);
  }
  std::vector<std::string> ra = runs;
  ra.insert(ra.end(), {"--before", out + "/eval-before", "--out", out + "/report.html"});
  log_info("demo finished in ", timer.seconds(), " s");
  invoke("report", ra);
  return 0;
}

Registrar demo_reg({"demo",
                    "end-to-end demo on synthetic people: memorise, evaluate, unlearn (libu, libu-seed, gd), report",
                    {{"out", OptType::Path, "demo-out", "output folder"},
                     {"people", OptType::Int, "40", "fictional people (half forget, half retain)"},
                     {"seed", OptType::Int, "0", "seed for everything (same seed, same demo)"},
                     {"vocab-size", OptType::Int, "2000", "tokenizer size"},
                     {"train-epochs", OptType::Int, "40", "memorisation epochs (full fine-tuning)"},
                     {"train-lr", OptType::Float, "3e-3", "memorisation learning rate"},
                     {"unlearn-epochs", OptType::Int, "3", "unlearning epochs"},
                     {"unlearn-lr", OptType::Float, "1e-3", "learning rate of the gd baseline"},
                     {"libu-lr", OptType::Float, "5e-4", "learning rate of the libu preset (phase 1 and 2)"},
                     {"retain-ratio", OptType::Float, "2", "retain micro-batches per forget micro-batch (all methods)"},
                     {"max-new-tokens", OptType::Int, "48", "generation length in evaluations"}},
                    run_demo});

}  // namespace
}  // namespace libu::cli
