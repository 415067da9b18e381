// libu/unlearn/objectives.h — unlearning objectives (docs/unlearning.md "Definitions").
// Each micro-batch is either a forget or a retain batch; the objective says what loss it
// contributes.
#pragma once
#include <cmath>
#include <map>
#include <optional>
#include <string>

#include <torch/torch.h>

#include "libu/model/causal_lm.h"
#include "libu/text/tokenizer.h"

namespace libu::unlearn {

enum class Objective { GD, GA, KL, NPO, SimNPO, Seed, SFT, Calibrated, UNDIAL, RMU, IdkDPO };
Objective parse_objective(const std::string& s);  // gd|ga|kl|npo|simnpo|seed|sft|calibrated|undial|rmu|idkdpo
const char* objective_name(Objective o);

struct ObjectiveParams {
  double retain_weight = 1.0;  // w_r
  // --retain-loss kl: every objective's retain term is w_r·KL(π_ref ‖ π_θ) over the retain
  // tokens (the kl objective's term) instead of w_r·NLL_r. On memorised retain rows NLL_r has
  // almost no gradient (p ≈ 1), so it holds nothing; the KL holds the whole next-token
  // distribution, and on --anchor rows (never-seen text) it holds the model's general ability.
  bool retain_kl = false;
  double npo_beta = 0.1;
  double simnpo_beta = 4.5;
  double simnpo_delta = 0.0;
  double undial_beta = 10.0;  // UNDIAL: how far the label's logit is lowered in the teacher (methods/undial.cpp)
  int64_t rmu_layer = -1;       // RMU: the steered decoder layer (0-based; -1 = a quarter of the depth)
  double rmu_steering = 6.5;    // RMU: c, the norm of the forget activations' target c·u (the paper's zephyr value)
  uint64_t rmu_seed = 0;        // RMU: seed of the random direction u
  double dpo_beta = 0.1;        // IdkDPO: β of the DPO loss (methods/idkdpo.cpp)
  std::vector<std::vector<int64_t>> idk_answers;  // IdkDPO: the refusal answers' token ids
  double calib_tau = NAN;  // τ: the holdout's mean per-token NLL at the start (calibrated)
  double calib_k = 4.0;    // k: sharpness of the calibrated hinge
  // --calib-shape npo: each row's push towards τ is NPO's (its weight fades as the row's log-prob
  // falls below the reference model's, so every row loses its memorised answer before any is
  // driven far), gated by σ(k(τ − NLL_row)) so that it stops at the never-seen level.
  bool calib_npo = false;
  // --calib-shape npo-token: the same push on the per-token log-ratio (log π_θ − log π_ref)/|y|
  // with β = calib_token_beta, so that a long document's weight does not fade after a rise of a
  // few hundredths of a nat per token (the summed ratio of 200 tokens does; QA answers do not).
  bool calib_per_token = false;
  double calib_token_beta = 1.0;
  // --calib-target tokens: [K + 1, Q] fp32, row k = the sorted token-NLL quantiles of the
  // holdout rows of kind k (last row: all kinds), at probabilities (i + 0.5)/Q. Undefined: the
  // row-mean target τ (--calib-target mean).
  torch::Tensor calib_quantiles;
  // --calib-target vocab: [V] fp32, entry v = the holdout's mean NLL of the tokens whose label
  // is v (smoothed towards the holdout mean; unseen ids get the mean). Each forget token aims at
  // the NLL that never-seen text gives its own token id. Undefined: not in use.
  torch::Tensor calib_vocab;
};

// A micro-batch on the model's device. input_ids/attention_mask/labels: [B, T].
struct TensorBatch {
  torch::Tensor input_ids, attention_mask, labels;
  int64_t loss_tokens = 0;
  torch::Tensor target_nll;  // [B] fp32, per-row τ of the calibrated objective (NaN: use the global τ)
  torch::Tensor weight;      // [B] fp32, per-row weight of the calibrated forget mean
  torch::Tensor target_kind; // [B] int64, row of ObjectiveParams::calib_quantiles (-1: the last, all kinds)
  torch::Tensor anchor;      // [B] fp32, 1 for --anchor rows (KL to the frozen model); undefined: none
};

struct Terms {
  torch::Tensor loss;                   // scalar to minimise (undefined: batch contributes nothing)
  // e.g. {"nll_f": ..}: detached 0-dim tensors, read once per optimizer step by the trainer
  // (no host sync per micro-batch).
  std::map<std::string, torch::Tensor> logs;
};

// Does this objective use retain batches at all?
bool uses_retain(Objective o);
// Is its forget term a mean over rows (npo, simnpo, calibrated) rather than over loss tokens?
// Gradient accumulation weighs each micro-batch by its share of that unit (plan.h).
bool forget_term_is_row_mean(Objective o);
// Loss of one micro-batch:
//   gd: forget −NLL_f, retain w_r·NLL_r        ga: forget −NLL_f
//   kl: forget −NLL_f, retain w_r·KL(π_ref‖π_θ) over retain tokens
//   npo: forget (2/β)·mean log(1 + (π_θ/π_ref)^β), retain w_r·NLL_r   (Zhang et al. 2024)
//   simnpo: forget −(2/β)·mean log σ(β·(S_f/|y| − δ)), retain w_r·NLL_r (Fan et al. 2024)
//   seed: forget +NLL_f (the published code)   sft: NLL on every batch
//   calibrated: forget mean_rows softplus(k·(τ − nll_row))/k, retain w_r·NLL_r, where nll_row is
//     the row's mean token NLL and τ the never-seen (holdout) level: each row is pushed up to τ
//     and then stops pulling (gradient −σ(k·(τ − nll_row)) → 0), "forget until
//     indistinguishable" instead of unbounded ascent. Related: SimNPO's margin δ (Fan et al.
//     2024, arXiv 2410.07163) bounds the push the same way; the target is the SemEval-2025 MIA
//     optimum (AUC 0.5 against unseen data).
// π_ref is the same model with the LoRA adapter disabled (no second copy of the weights).
// The calibrated forget term on one micro-batch (see above); logs calib_f and the share of
// rows still below τ. lp [B]: each row's summed label log-prob, n [B]: its loss tokens. τ per row is b.target_nll where set (the holdout
// level of the row's kind), else p.calib_tau; the mean over rows is weighted by b.weight
// (kind-balanced, see run.cpp). Raises when τ is unknown. With p.calib_quantiles (--calib-target
// tokens) and the token log-probs logp / mask [B, T-1], the row's hinge is instead the mean over
// its tokens of softplus(k·(t_i − nll_i))/k, t_i the holdout quantile of the token's rank
// within its row (token_targets in objectives.cpp). With lp_ref [B] (the reference model's summed
// log-probs; --calib-shape npo) the row's term is σ(k(τ − NLL_row)), without gradient, times
// NPO's (2/β)·softplus(β(lp − lp_ref)).
torch::Tensor calibrated_forget_loss(const torch::Tensor& lp, const torch::Tensor& n, const TensorBatch& b,
                                     const ObjectiveParams& p, std::map<std::string, torch::Tensor>& logs,
                                     const torch::Tensor& logp = {}, const torch::Tensor& mask = {},
                                     const torch::Tensor& lp_ref = {});
// The per-token targets of --calib-target tokens: [B, T-1] (0 where mask is 0), from the
// quantile table [K + 1, Q] and b.target_kind.
torch::Tensor token_targets(const torch::Tensor& logp, const torch::Tensor& mask, const TensorBatch& b,
                            const torch::Tensor& quantiles);
// UNDIAL's forget term (Dong et al. 2024, "UNDIAL: Self-Distillation with Adjusted Logits for
// Robust Unlearning in LLMs", eq. 2; methods/undial.cpp): the mean over the loss positions of
// the cross-entropy −Σ_v q_v log p_θ,v from the adjusted teacher q = softmax(z_ref − β·onehot(y)).
// logits, ref_logits [B, T, V] (ref without gradient), labels [B, T] (−100 = not scored).
torch::Tensor undial_forget_loss(const torch::Tensor& logits, const torch::Tensor& ref_logits,
                                 const torch::Tensor& labels, double beta);
// RMU (methods/rmu.cpp): the steered layer, the unit direction u [D], and the terms of one
// micro-batch (forget: activations at the layer to c·u; retain: to the adapter-off model's).
int64_t rmu_layer(const ObjectiveParams& p, int64_t num_layers);
torch::Tensor rmu_direction(int64_t hidden, uint64_t seed);
Terms rmu_terms(model::CausalLM& m, const TensorBatch& b, bool is_forget, const ObjectiveParams& p);
// IdkDPO (methods/idkdpo.cpp): the refusal answers (--idk-file, one per line, or a built-in
// set), tokenised with a leading space (+ EOS when given); and the preferred batch of a forget
// batch: each row's prompt (the positions before its first label) followed by the refusal its
// prompt hashes to, labels on the refusal only.
std::vector<std::string> default_idk_answers();
std::vector<std::vector<int64_t>> idk_answer_ids(const text::Tokenizer& tok, const std::string& file,
                                                 std::optional<int64_t> eos);
TensorBatch idk_batch(const TensorBatch& b, const std::vector<std::vector<int64_t>>& answers);
Terms objective_loss(Objective o, model::CausalLM& m, const TensorBatch& b, bool is_forget,
                     const ObjectiveParams& p);
// Every key objective_loss may put into Terms::logs, in a fixed order: the distributed
// trainer reduces them as one buffer whichever keys each rank's micro-batches produced.
const std::vector<std::string>& objective_log_keys();

}  // namespace libu::unlearn
