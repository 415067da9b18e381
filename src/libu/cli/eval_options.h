// libu/cli/eval_options.h — the options `eval run` and `eval attack` share (declared once):
// the model and data to evaluate, generation / MIA settings, and the robustness attacks.
#pragma once
#include <vector>

#include "libu/cli/options.h"
#include "libu/eval/eval_run.h"

namespace libu::cli {

// model, adapter, forget, retain, mia, mia-max-length, max-new-tokens, batch-size, limit, dtype, device, out.
std::vector<OptionSpec> eval_model_options();
// attacks (default `default_attacks`), reference, baseline, seed, relearn-*, quantize-*.
std::vector<OptionSpec> attack_options(const std::string& default_attacks);

// Fills the model, data, generation and MIA fields of `e` from eval_model_options(), and
// checks them (no ignored flags, sane numbers).
void read_eval_model_options(const Options& o, eval::EvalRunOptions& e);
// The attack settings; evaluation settings (generation, MIA, dtype, device, out) come from `e`.
eval::attacks::AttackOptions read_attack_options(const Options& o, const eval::EvalRunOptions& e);
// Raises Error when an attack flag is given but `--attacks` names no attack that reads it.
void check_attack_flags(const Options& o, const std::vector<std::string>& attacks);

}  // namespace libu::cli
