// libu/cli/eval_options.cpp — see eval_options.h.
#include "libu/cli/eval_options.h"

#include <algorithm>
#include <cmath>

#include "libu/core/error.h"

namespace libu::cli {

namespace {
std::string opt_str(const Options& o, const std::string& name) { return o.has(name) ? o.str(name) : ""; }
}  // namespace

std::vector<OptionSpec> eval_model_options() {
  std::vector<OptionSpec> v = {{"model", OptType::Path, "", "HF model folder (config.json, safetensors, tokenizer.json)", true},
          {"adapter", OptType::Path, "", "PEFT LoRA adapter folder to apply"},
          {"forget", OptType::Path, "", "forget split: a .parquet/.jsonl file or a dataset folder", true},
          {"retain", OptType::Path, "", "retain split: a .parquet/.jsonl file or a dataset folder", true},
          {"mia", OptType::Path, "", "MIA folder with member.jsonl and nonmember.jsonl (field `document`)"},
          {"mia-max-length", OptType::Int, "2048", "tokens per MIA document (longer ones are truncated)"},
          {"mia-reference", OptType::Path, "",
           "a model folder never trained on the MIA members (e.g. the demo's retrained control): adds the Reference "
           "attack and PrivLeak per statistic"},
          {"mia-gradnorm", OptType::String, "off", "add the GradNorm MIA with this p-norm (one backward per document)",
           false, {"off", "1", "2", "inf"}},
          {"max-new-tokens", OptType::Int, "256", "greedy generation length limit (official: 256)"},
          {"batch-size", OptType::Int, "8", "rows per batch for generation, MIA and MMLU"},
          {"limit", OptType::Int, "0", "at most N rows per split, spread over the (task, sc/qa) groups (0 = all)"},
          {"dtype", OptType::String, "bf16", "compute dtype (official script: bf16; auto = the file's)", false,
           {"bf16", "fp32", "fp16", "auto"}},
          {"device", OptType::String, "cpu", "torch device: cpu, cuda, cuda:N"},
          {"out", OptType::Path, "", "output folder", true}};
  v.insert(v.end(), packing_options().begin(), packing_options().end());
  v.insert(v.end(), dist_options().begin(), dist_options().end());
  return v;
}

std::vector<OptionSpec> attack_options(const std::string& default_attacks) {
  return {{"attacks", OptType::String, default_attacks,
           "robustness attacks (comma list or repeated): relearn, quantize, paraphrase, all", false, {}, true},
          {"reference", OptType::Path, "",
           "the memorised model before unlearning (relearn's 'memorised' level; default: --model without --adapter)"},
          {"baseline", OptType::Path, "", "a model never trained on the forget set, attacked the same way (relearn)"},
          {"seed", OptType::Int, "0", "seed of the attacks (document split, LoRA init, batch order)"},
          {"relearn-fraction", OptType::Float, "0.1", "share of forget documents used as relearning data"},
          {"relearn-steps", OptType::Int, "20", "relearning steps (probes measured at 0, S/4, S/2 and S)"},
          {"relearn-lr", OptType::Float, "1e-4", "relearning learning rate (AdamW, constant)"},
          {"relearn-batch-size", OptType::Int, "4", "relearning rows per step"},
          {"relearn-rank", OptType::Int, "8", "rank of the relearning LoRA (alpha = 2 x rank, all linear layers)"},
          {"quantize-bits", OptType::String, "8,4", "integer widths of the quantisation round trip", false, {}, true},
          {"quantize-group", OptType::Int, "128", "quantisation group size along the input dimension"}};
}

void read_eval_model_options(const Options& o, eval::EvalRunOptions& e) {
  e.model_dir = o.str("model");
  e.adapter_dir = opt_str(o, "adapter");
  e.forget = o.str("forget");
  e.retain = o.str("retain");
  e.mia_dir = opt_str(o, "mia");
  e.out_dir = o.str("out");
  e.dtype = o.str("dtype");
  e.device = o.str("device");
  e.generation.max_new_tokens = o.i64("max-new-tokens");
  e.generation.batch_size = o.i64("batch-size");
  e.limit = o.i64("limit");
  e.mia.batch_size = o.i64("batch-size");
  e.mia.max_length = o.i64("mia-max-length");
  e.mia_reference = opt_str(o, "mia-reference");
  const std::string gp = o.str("mia-gradnorm");
  e.mia.gradnorm_p = gp == "off" ? 0.0 : gp == "inf" ? INFINITY : std::stod(gp);
  for (const char* f : {"mia-max-length", "mia-reference", "mia-gradnorm"})
    if (e.mia_dir.empty() && o.given(f))
      fail(cat("--", f, " has no effect without --mia"), "add --mia DIR or drop the flag");
  if (e.generation.max_new_tokens < 1) fail("--max-new-tokens must be at least 1", "the official setting is 256");
  if (e.generation.batch_size < 1) fail("--batch-size must be at least 1");
  if (e.limit < 0) fail("--limit must be 0 (all rows) or positive");
  if (e.mia.max_length < 2) fail("--mia-max-length must be at least 2");
}

eval::attacks::AttackOptions read_attack_options(const Options& o, const eval::EvalRunOptions& e) {
  eval::attacks::AttackOptions a;
  a.attacks = eval::attacks::parse_attacks(o.list("attacks"));  // "none" is handled by the caller
  a.reference_dir = opt_str(o, "reference");
  a.baseline_dir = opt_str(o, "baseline");
  a.seed = uint64_t(o.i64("seed"));
  a.mia_dir = e.mia_dir;
  a.dtype = e.dtype;
  a.device = e.device;
  a.generation = e.generation;
  a.mia = e.mia;
  a.out_dir = e.out_dir;
  a.relearn.fraction = o.f64("relearn-fraction");
  a.relearn.steps = o.i64("relearn-steps");
  a.relearn.lr = o.f64("relearn-lr");
  a.relearn.batch_size = o.i64("relearn-batch-size");
  a.relearn.lora.r = o.i64("relearn-rank");
  a.relearn.lora.alpha = 2.0 * double(a.relearn.lora.r);
  a.quant_group = o.i64("quantize-group");
  a.quant_bits.clear();
  for (const auto& b : o.list("quantize-bits")) {
    int bits = 0;
    try {
      bits = std::stoi(b);
    } catch (...) {
      bits = 0;
    }
    if (bits < 2 || bits > 16) fail(cat("--quantize-bits: '", b, "'"), "give integer widths from 2 to 16, e.g. 8,4");
    a.quant_bits.push_back(bits);
  }
  if (a.relearn.steps < 0) fail("--relearn-steps must be 0 or more");
  if (!(a.relearn.lr > 0)) fail("--relearn-lr must be positive");
  if (a.relearn.batch_size < 1) fail("--relearn-batch-size must be at least 1");
  if (a.relearn.lora.r < 1) fail("--relearn-rank must be at least 1");
  if (a.quant_group < 1) fail("--quantize-group must be at least 1", "the usual group size is 128");
  check_attack_flags(o, a.attacks);
  return a;
}

void check_attack_flags(const Options& o, const std::vector<std::string>& attacks) {
  auto runs = [&](const char* a) { return std::find(attacks.begin(), attacks.end(), a) != attacks.end(); };
  for (const char* f : {"baseline", "relearn-fraction", "relearn-steps", "relearn-lr", "relearn-batch-size", "relearn-rank"})
    if (o.given(f) && !runs("relearn")) fail(cat("--", f, " has no effect without the relearn attack"), "add relearn to --attacks or drop the flag");
  for (const char* f : {"quantize-bits", "quantize-group"})
    if (o.given(f) && !runs("quantize")) fail(cat("--", f, " has no effect without the quantize attack"), "add quantize to --attacks or drop the flag");
  if (attacks.empty() && o.given("seed")) fail("--seed has no effect without --attacks", "add --attacks or drop the flag");
  if (o.given("reference") && !runs("relearn") && !runs("paraphrase"))
    fail("--reference has no effect without the relearn or paraphrase attack", "add one to --attacks or drop the flag");
}

}  // namespace libu::cli
