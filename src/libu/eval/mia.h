// libu/eval/mia.h — the model side of the membership-inference suite (docs/eval.md "MIA"): per
// document mean token NLL (the official loss attack), token log-probs and the per-position
// moments of log p that Min-K%++ needs, then the attacks of mia_attacks.h and their AUCs
// (member = positive, score = −statistic).
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/model/causal_lm.h"
#include "libu/text/tokenizer.h"

namespace libu::eval {

struct MiaOptions {
  int64_t max_length = 2048;  // tokens per document (longer ones are truncated, counted)
  int64_t batch_size = 8;
  std::vector<double> ks = {0.1, 0.2, 0.4};  // Min-K% and Min-K%++ fractions
  // A model that never saw the members (eval run --mia-reference): adds the Reference attack
  // ("reference" = own loss − its loss, Carlini et al. 2022 / OpenUnlearning) and PrivLeak
  // (MUSE) per statistic. Null: neither.
  model::CausalLM* reference = nullptr;
  double gradnorm_p = 0;  // > 0: add the GradNorm statistic with this p-norm (gradnorm.h)
};

// One document under the model. logprobs[t] = log p(x_{t+1} | x_{<=t}) (natural log);
// mu/var: mean and variance of log p under the next-token distribution at that position
// (mu = Σ p·log p, var = Σ p·(log p)² − mu²), all of length tokens − 1.
struct DocumentNll {
  double loss = 0;  // mean token NLL = −mean(logprobs)
  int64_t tokens = 0;  // after truncation
  bool truncated = false;
  std::vector<double> logprobs, mu, var;
};

// Encodes each document without special tokens (no BOS, as the official script for OLMo),
// truncates to max_length and runs the model in right-padded batches with an attention
// mask. A document with fewer than 2 tokens raises Error naming `names[i]`.
std::vector<DocumentNll> document_nll(model::CausalLM& model, const text::Tokenizer& tok,
                                      const std::vector<std::string>& documents, const MiaOptions& opt,
                                      const std::string& label, const std::vector<std::string>& names = {});

// The attack statistics of one document ("higher = looks less like training data"):
// "loss", "zlib", "min_k_10", ..., "min_k_plus_plus_10", ...
std::vector<std::pair<std::string, double>> mia_statistics(const DocumentNll& d, const std::string& document,
                                                           const std::vector<double>& ks);

struct MiaDocument {
  std::string id, label;  // label: "member" | "nonmember"
  DocumentNll nll;
  std::vector<std::pair<std::string, double>> stats;  // mia_statistics
};
struct MiaRun {
  std::vector<MiaDocument> docs;       // members first, then non-members
  std::map<std::string, double> auc;   // per statistic, score = −statistic
  // With MiaOptions::reference: the reference model's own AUC per statistic, and PrivLeak =
  // (auc − reference_auc) / reference_auc × 100 (mia_attacks.h privleak) per statistic.
  std::map<std::string, double> reference_auc, privleak;
  size_t truncated = 0;
  int64_t max_length = 0;
};
// DIR/member.jsonl and DIR/nonmember.jsonl (field `document`; `id` a string or integer,
// else "member-<line>"). Raises Error when a file is missing or empty.
MiaRun run_mia(model::CausalLM& model, const text::Tokenizer& tok, const std::string& dir, const MiaOptions& opt);

// One mia.jsonl row per document: {id, label, loss, tokens, truncated, <statistics>}
// (`libu eval score` reads id, label and loss).
std::vector<nlohmann::json> mia_rows_json(const MiaRun& r);
// {"auc": {...}, "documents": {...}, "truncated": n, "max_length": L} (+ "reference_auc",
// "privleak" with a reference model)
nlohmann::json mia_summary_json(const MiaRun& r);

}  // namespace libu::eval
