// libu/eval/mia_attacks.h — membership-inference statistics beyond the official loss
// attack (docs/eval.md), with MUSE / OpenUnlearning definitions. Torch-free: the caller runs
// the model and passes token log-probabilities (natural log) and per-position statistics.
// Sign convention (OpenUnlearning): every statistic here is "higher = looks less like
// training data"; AUC with member = positive therefore uses −statistic as the score.
#pragma once
#include <string_view>
#include <vector>

namespace libu::eval {

// len(zlib.compress(text.encode("utf-8"))) — zlib at its default level (6), like Python.
size_t zlib_compressed_size(std::string_view utf8);
// ZLib attack: loss / zlib-compressed byte length of the document (loss = mean token NLL).
double zlib_ratio(double loss, std::string_view document_utf8);

// Number of tokens kept by Min-K%: max(1, int(n·k)) (Python int() truncation).
size_t min_k_count(size_t n, double k);
// Min-K% Prob: −mean of the max(1, int(n·k)) lowest token log-probs. k in (0, 1], e.g.
// 0.1, 0.2, 0.4. Raises Error when there is no token.
double min_k_percent(const std::vector<double>& token_logprobs, double k);

// Per-position statistics of log p under the model's next-token distribution:
// mu = Σ_v p_v log p_v, var = Σ_v p_v (log p_v)² − mu². `vocab_logprobs` is one row of
// log_softmax(logits) (length V).
struct LogProbMoments {
  double mu = 0, var = 0;
};
LogProbMoments logprob_moments(const float* vocab_logprobs, size_t vocab_size);

// Min-K%++: z_t = (log p(x_t) − mu_t) / sqrt(max(var_t, 1e-6)), then −mean of the lowest
// max(1, int(n·k)) z_t. `var` is the variance (OpenUnlearning clamps it at 1e-6).
double min_k_plus_plus(const std::vector<double>& token_logprobs, const std::vector<double>& mu,
                       const std::vector<double>& var, double k);

// MUSE PrivLeak: (AUC_unlearned − AUC_reference) / AUC_reference × 100, where the reference
// is the retrained (never-saw-the-forget-set) model. Raises Error when AUC_reference is 0.
double privleak(double auc_unlearned, double auc_reference);

}  // namespace libu::eval
