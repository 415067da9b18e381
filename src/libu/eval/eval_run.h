// libu/eval/eval_run.h — `libu eval run`: the whole official evaluation of one model
// (docs/eval.md). Generates the SemEval predictions, the MIA losses (and extra attacks) and
// MMLU, writes the prediction files that `libu eval score` reads, then scores that same
// folder with the eval score code path (score_predictions_dir + semeval_to_json), so that
// metrics.json's official fields are exactly what `libu eval score` prints for it.
//
// Files written to out_dir (each atomically):
//   forget.jsonl, retain.jsonl   {id, task, output, generation}
//   mia.jsonl                    {id, label, loss, tokens, truncated, zlib, min_k_*, ...}
//   metrics.json                 eval score's JSON + "mia_attacks", "mmlu", "general", "memorisation",
//                                "truth_ratio" (when the rows carry the answers), "generation", "options"
//   rows.jsonl, rows.csv         split, id, task, type, score, input, output, generation
//   run.json                     the resolved options
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/eval/attacks/attacks.h"
#include "libu/eval/general_nll.h"
#include "libu/eval/memorisation.h"
#include "libu/eval/truth_ratio.h"
#include "libu/eval/generation_eval.h"
#include "libu/eval/mia.h"
#include "libu/eval/mmlu.h"
#include "libu/eval/semeval_score.h"
#include "libu/io/records.h"

namespace libu::eval {

struct EvalRunOptions {
  std::string model_dir, adapter_dir;   // adapter optional
  std::string forget, retain;           // file or dataset folder (io::load_split)
  std::string mia_dir;                  // optional: member.jsonl + nonmember.jsonl
  std::string mia_reference;            // optional: a model folder never trained on the members (MiaOptions::reference)
  std::string mmlu_dir;                 // optional: dev/ + test/
  std::string general;                  // optional: never-seen documents, metrics.json "general"
  std::string out_dir;
  std::string dtype = "bf16";           // compute dtype: bf16 | fp32 | fp16 | auto (file's)
  std::string device = "cpu";
  GenerationOptions generation;         // max_new_tokens, batch_size
  int64_t limit = 0;                    // rows per split (0 = all), see limit_records
  MiaOptions mia;                       // max_length, batch_size, ks
  MmluOptions mmlu;                     // shots, subjects, limit, batch_size
  nlohmann::json options_json;          // saved in run.json and metrics.json["options"]
  // `eval run --attacks`: the robustness attacks after the evaluation (attacks.json, and
  // their headline numbers in metrics.json["attacks"]); nullopt = none.
  std::optional<attacks::AttackOptions> attacks;
};

// At most `limit` records (0 = all), taken round-robin over the (task, sc/qa) groups in
// file order, so that every task present keeps both SC and QA rows (the scorer needs
// both); the chosen records keep their file order.
std::vector<io::Record> limit_records(const std::vector<io::Record>& records, int64_t limit);
// Raises Error (naming the file, row and fix) on a row the scorer would reject: an unknown
// task or an id without an sc/qa suffix. Called before any generation.
void check_records(const std::vector<io::Record>& records, const std::string& source);

struct EvalRunResult {
  SemevalResult score;
  std::optional<MiaRun> mia;
  std::optional<MmluResult> mmlu;
  std::optional<GeneralNll> general;
  nlohmann::json memorisation;  // {"forget": Memorisation, "retain": Memorisation} (memorisation.h)
  nlohmann::json truth_ratio;   // {"forget"?, "retain"?}: TruthRatio where rows carry the answers, else null
  nlohmann::json metrics;  // what metrics.json holds
  nlohmann::json attacks;  // attacks.json when attacks ran, else null
};

// Loads the model (+ adapter) and tokenizer from opt.model_dir and runs everything.
EvalRunResult eval_run(const EvalRunOptions& opt);
// Same with an already loaded model and tokenizer (tests).
EvalRunResult eval_run(model::CausalLM& model, const text::Tokenizer& tok, const EvalRunOptions& opt);

// `libu eval attack`: loads the model (+ adapter) like eval_run, reads and checks forget /
// retain (with opt.limit), and runs `attacks` into opt.out_dir (attacks.json + row files;
// run.json holds opt.options_json). Returns attacks.json's content.
nlohmann::json eval_attack(const EvalRunOptions& opt, const attacks::AttackOptions& attacks);

// Per-row scores (rows.jsonl lines / rows.csv text): split, id, task, type (sc|qa), score
// (regurgitation = ROUGE-L recall for SC, knowledge = exact match for QA), input, output,
// generation. `forget`/`retain` are the records the predictions were made from (same order).
std::vector<nlohmann::json> scored_rows_json(const SemevalResult& r, const std::vector<io::Record>& forget,
                                             const std::vector<io::Record>& retain);
std::string scored_rows_csv(const std::vector<nlohmann::json>& rows);
// RFC 4180 field: quoted when it holds a comma, quote, CR or LF ("" escapes).
std::string csv_field(const std::string& s);

}  // namespace libu::eval
