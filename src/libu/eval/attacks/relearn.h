// libu/eval/attacks/relearn.h — the relearning attack (Lynch et al. 2024, "Eight Methods to
// Evaluate Robust Unlearning in LLMs", arXiv 2402.16835; Deeb & Roger 2024, "Do Unlearning
// Methods Remove Information from Language Model Weights?", arXiv 2410.08827). Knowledge that
// was only hidden comes back after a few fine-tuning steps on *other* forget documents;
// knowledge that is gone cannot, because the probe documents are never trained on.
//
// The forget rows are split by document: a seeded `fraction` of the documents is attack data,
// the rest is probe data. A fresh LoRA adapter on the model (its own adapter merged first) is
// fine-tuned with AdamW on the attack rows (full-text loss, EOS appended) for `steps` steps;
// the probe rows' official scores and mean answer NLL are measured at `eval_at` steps.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/eval/attacks/common.h"
#include "libu/model/lora.h"

namespace libu::eval::attacks {

struct RelearnOptions {
  double fraction = 0.1;  // share of forget documents used as attack data (at least one)
  int64_t steps = 20;
  double lr = 1e-4;       // AdamW (torch defaults otherwise), constant
  int64_t batch_size = 4;
  model::LoraConfig lora{8, 16.0, 0.0, {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}};
  uint64_t seed = 0;      // document split, LoRA init, batch order
  int64_t max_length = 1024;
  std::vector<int64_t> eval_at;  // empty: relearn_eval_steps(steps)
  GenerationOptions generation;
  int64_t nll_batch = 8;
};

// {0, S/4, S/2, S} without duplicates (0, 5, 10, 20 for S = 20).
std::vector<int64_t> relearn_eval_steps(int64_t steps);

// The document of a row: the id without its row suffix ("<doc>sc1" / "<doc>qa0" -> "<doc>",
// the official row-type rule); an id without such a suffix is its own document.
std::string document_of(const std::string& id);

struct DocumentSplit {
  std::vector<io::Record> attack, probe;  // file order kept within each
  std::vector<std::string> attack_documents;
  size_t documents = 0;
};
// max(1, round(fraction · documents)) documents, drawn with `seed`, become attack data; at
// least one document must stay a probe. Raises Error naming `source` when that is impossible.
DocumentSplit split_by_document(const std::vector<io::Record>& forget, double fraction, uint64_t seed,
                                const std::string& source);

struct RelearnPoint {
  int64_t step = 0;
  KindMeans probe;                 // official scores of the probe rows
  double nll = NAN;                // mean answer NLL of the probe rows (teacher forcing)
  double train_loss = NAN;         // loss of the last attack step before this point (NaN at 0)
  std::vector<double> row_scores, row_nll;  // per probe row
  std::vector<std::string> generations;
  nlohmann::json to_json() const;  // without the per-row vectors
};
struct RelearnCurve {
  std::string model;  // "model", "reference", "baseline"
  std::vector<RelearnPoint> points;
  nlohmann::json to_json() const;
};

// Runs the attack on a copy of `start` (its adapter merged; `start` itself is not changed).
RelearnCurve relearn(const model::CausalLM& start, const text::Tokenizer& tok, const DocumentSplit& split,
                     const RelearnOptions& opt, const std::string& name);

// (after − before) / (memorised − before): the share of the removed score that the attack
// brings back. NaN when memorised − before < min_gap (nothing was removed, the ratio would be
// noise). For the NLL pass the NLLs: (before − after) / (before − memorised).
double recovery_ratio(double before, double after, double memorised, double min_gap);

}  // namespace libu::eval::attacks
