#include "libu/unlearn/objectives.h"

#include <limits>

#include "libu/core/error.h"
#include "libu/model/lm_head.h"
#include "libu/model/loss.h"
#include "libu/model/packing.h"

namespace libu::unlearn {

Objective parse_objective(const std::string& s) {
  if (s == "gd") return Objective::GD;
  if (s == "ga") return Objective::GA;
  if (s == "kl") return Objective::KL;
  if (s == "npo") return Objective::NPO;
  if (s == "simnpo") return Objective::SimNPO;
  if (s == "seed") return Objective::Seed;
  if (s == "sft") return Objective::SFT;
  if (s == "calibrated") return Objective::Calibrated;
  if (s == "undial") return Objective::UNDIAL;
  if (s == "rmu") return Objective::RMU;
  if (s == "idkdpo") return Objective::IdkDPO;
  fail(cat("unknown objective '", s, "'"), "use gd, ga, kl, npo, simnpo, seed, sft, calibrated, undial, rmu or idkdpo");
}

const char* objective_name(Objective o) {
  switch (o) {
    case Objective::GD: return "gd";
    case Objective::GA: return "ga";
    case Objective::KL: return "kl";
    case Objective::NPO: return "npo";
    case Objective::SimNPO: return "simnpo";
    case Objective::Seed: return "seed";
    case Objective::SFT: return "sft";
    case Objective::Calibrated: return "calibrated";
    case Objective::UNDIAL: return "undial";
    case Objective::RMU: return "rmu";
    case Objective::IdkDPO: return "idkdpo";
  }
  return "?";
}

bool uses_retain(Objective o) { return o != Objective::GA && o != Objective::Seed; }
bool forget_term_is_row_mean(Objective o) {
  return o == Objective::NPO || o == Objective::SimNPO || o == Objective::Calibrated;
}

namespace {

// Reference-model logits: the same model with the adapter off, without gradients.
torch::Tensor reference_logits(model::CausalLM& m, const TensorBatch& b) {
  torch::NoGradGuard ng;
  bool was = m.lora_enabled();
  m.set_lora_enabled(false);
  auto logits = model::batch_logits(m, b.input_ids, b.attention_mask);  // [B, T, V]
  m.set_lora_enabled(was);
  return logits;
}

// Per-row summed log-prob [B] of the reference model (adapter off), through the lean head.
torch::Tensor reference_seq_logprob(model::CausalLM& m, const TensorBatch& b) {
  torch::NoGradGuard ng;
  bool was = m.lora_enabled();
  m.set_lora_enabled(false);
  auto lp = model::lean_token_logprobs(m, b.input_ids, b.attention_mask, b.labels).first.sum(1);  // [B]
  m.set_lora_enabled(was);
  return lp;
}

// KL(π_ref ‖ π_θ) at each loss position [B, T-1] (shifted like the CE; 0 off the loss positions).
torch::Tensor kl_positions(const torch::Tensor& logits, const torch::Tensor& ref_logits, const torch::Tensor& labels) {
  int64_t T = logits.size(1);
  auto lp = torch::log_softmax(logits.narrow(1, 0, T - 1), -1);      // [B, T-1, V]
  auto lq = torch::log_softmax(ref_logits.narrow(1, 0, T - 1), -1);  // [B, T-1, V]
  auto kl = (lq.exp() * (lq - lp)).sum(-1);                           // [B, T-1]
  return kl * labels.narrow(1, 1, T - 1).ne(model::kIgnoreIndex).to(kl.dtype());
}

// The retain term: w_r × the mean over loss positions of NLL (retain rows) or KL(π_ref ‖ π_θ)
// (--retain-loss kl, and --anchor rows always). logp, mask: [B, T-1]; nll: their mean NLL.
// Without KL it is exactly w_r·NLL_r (bit-identical to the plain retain term).
torch::Tensor retain_term(model::CausalLM& m, const TensorBatch& b, const ObjectiveParams& p, bool all_kl,
                          const torch::Tensor& logits, const torch::Tensor& logp, const torch::Tensor& mask,
                          const torch::Tensor& nll, std::map<std::string, torch::Tensor>& logs) {
  if (!logits.defined()) return p.retain_weight * nll;
  auto kl = kl_positions(logits, reference_logits(m, b), b.labels);  // [B, T-1]
  auto per = kl;
  auto kl_mask = mask;
  if (!all_kl) {
    auto is_anchor = b.anchor.to(kl.dtype()).unsqueeze(1).expand_as(kl).gt(0.5);  // [B, T-1]
    per = torch::where(is_anchor, kl, -logp * mask);
    kl_mask = mask * is_anchor.to(mask.dtype());
  }
  logs["kl_r"] = ((kl * kl_mask).sum() / kl_mask.sum().clamp_min(1.0)).detach();
  return p.retain_weight * (per.sum() / mask.sum().clamp_min(1.0));
}

}  // namespace

// Per-token targets (--calib-target tokens): each forget row's loss tokens, ranked by their own
// NLL, are aimed at the holdout's token-NLL quantile of the same rank, so the row's NLL
// distribution (not only its mean) becomes that of never-seen text of its kind. The tokens a
// never-seen model also finds easy (function words, the continuation of a common phrase) are
// matched with easy holdout tokens and stay low, which is what keeps general text intact;
// tokens already above their target get no push (no unbounded ascent on a few rare tokens).
// logp, mask: [B, T-1]. Returns the [B, T-1] target NLL (detached; 0 where mask is 0).
torch::Tensor token_targets(const torch::Tensor& logp, const torch::Tensor& mask, const TensorBatch& b,
                            const torch::Tensor& quantiles) {
  torch::NoGradGuard ng;
  auto nll = (-logp).masked_fill(mask.eq(0), std::numeric_limits<float>::infinity());  // [B, T-1]
  auto order = std::get<1>(nll.sort(1));                                             // [B, T-1]
  auto rank = torch::empty_like(order).scatter_(1, order, torch::arange(nll.size(1), order.options()).expand_as(order));
  auto n = mask.sum(1, true).clamp_min(1.0);                                           // [B, 1]
  const int64_t Q = quantiles.size(1), K = quantiles.size(0);
  auto pos = ((rank.to(mask.dtype()) + 0.5) / n * double(Q) - 0.5).clamp(0, double(Q - 1));  // [B, T-1]
  auto lo = pos.floor().to(torch::kLong);
  auto hi = pos.ceil().to(torch::kLong);
  auto frac = pos - lo.to(pos.dtype());
  auto kind = b.target_kind.defined() ? b.target_kind : torch::full({logp.size(0)}, -1, order.options());
  kind = torch::where(kind.lt(0), torch::full_like(kind, K - 1), kind).clamp_max(K - 1);  // [B]
  auto table = quantiles.to(logp.device()).index_select(0, kind);                         // [B, Q]
  auto t = table.gather(1, lo) * (1 - frac) + table.gather(1, hi) * frac;                  // [B, T-1]
  return (t * mask).to(logp.dtype());
}

torch::Tensor calibrated_forget_loss(const torch::Tensor& lp, const torch::Tensor& n, const TensorBatch& b,
                                     const ObjectiveParams& p, std::map<std::string, torch::Tensor>& logs,
                                     const torch::Tensor& logp, const torch::Tensor& mask, const torch::Tensor& lp_ref) {
  if (std::isnan(p.calib_tau))
    fail("the calibrated objective needs the holdout level tau", "pass --holdout (never-seen rows of the same kind)");
  auto has = n.gt(0).to(lp.dtype());                       // rows without loss tokens do not count
  auto nll_row = -lp / n.clamp_min(1.0);                   // [B] mean token NLL per row
  auto tau = torch::full_like(nll_row, p.calib_tau);       // [B]: the row's own level, else the global τ
  if (b.target_nll.defined()) {
    auto t = b.target_nll.to(nll_row.dtype());
    tau = torch::where(torch::isnan(t), tau, t);
  }
  auto hinge = torch::softplus(p.calib_k * (tau - nll_row)) / p.calib_k;  // [B]
  if (lp_ref.defined()) {
    // --calib-shape npo: σ(k(τ − NLL_row)) (no gradient) × NPO's (2/β)·softplus(β(log π_θ − log π_ref)).
    auto gate = torch::sigmoid(p.calib_k * (tau - nll_row)).detach();               // [B]
    if (p.calib_per_token) {
      // --calib-shape npo-token: (2/β_t)·softplus(β_t·(log π_θ − log π_ref)/|y|), the mean per-token ratio.
      const double bt = p.calib_token_beta;
      hinge = gate * torch::softplus(bt * (lp - lp_ref) / n.clamp_min(1.0)) * (2.0 / bt);  // [B]
    } else {
      hinge = gate * torch::softplus(p.npo_beta * (lp - lp_ref)) * (2.0 / p.npo_beta);  // [B]
    }
  } else if (p.calib_vocab.defined() && logp.defined()) {
    // Mean over the row's tokens of softplus(k(t_v − nll_i))/k, t_v the never-seen NLL of the
    // token's own id (calibration.h holdout_vocab_targets).
    const int64_t T = b.labels.size(1);
    auto lab = b.labels.narrow(1, 1, T - 1).clamp_min(0);                                  // [B, T-1]
    auto target = p.calib_vocab.to(logp.device()).index_select(0, lab.reshape(-1)).view_as(logp) * mask;  // [B, T-1]
    auto h = torch::softplus(p.calib_k * (target.to(logp.dtype()) + logp)) / p.calib_k * mask;           // [B, T-1]
    hinge = h.sum(1) / n.clamp_min(1.0);                                                                 // [B]
  } else if (p.calib_quantiles.defined() && logp.defined()) {
    // Mean over the row's tokens of softplus(k(t_i − nll_i))/k: the same hinge per token.
    auto target = token_targets(logp, mask, b, p.calib_quantiles);                  // [B, T-1]
    auto h = torch::softplus(p.calib_k * (target + logp)) / p.calib_k * mask;       // [B, T-1]
    hinge = h.sum(1) / n.clamp_min(1.0);                                            // [B]
  }
  // Weighted sum over the rows that count, divided by their number (not by the weights' sum):
  // the weights have mean 1 over the forget set (run.cpp), so a micro-batch of one kind keeps
  // its kind's weight and the balance acts across micro-batches, as at batch size 1.
  auto w = b.weight.defined() ? b.weight.to(lp.dtype()) * has : has;  // [B]
  auto l = (hinge * w).sum() / has.sum().clamp_min(1.0);
  logs["calib_f"] = l.detach();
  logs["below_tau"] = ((nll_row < tau).to(lp.dtype()) * has).sum().detach() / has.sum().clamp_min(1.0).detach();
  return l;
}

Terms objective_loss(Objective o, model::CausalLM& m, const TensorBatch& b, bool is_forget, const ObjectiveParams& p) {
  Terms t;
  if (!is_forget && !uses_retain(o)) return t;
  if (o == Objective::RMU) return rmu_terms(m, b, is_forget, p);  // activations, not token log-probs
  // Token log-probs at the loss positions through the lean LM head (no [B, T, V] logits);
  // only KL's retain term needs the full distribution, so it runs one full forward instead.
  const bool all_kl = (o == Objective::KL || p.retain_kl) && !is_forget && o != Objective::SFT;
  const bool kl_retain = all_kl || (!is_forget && o != Objective::SFT && b.anchor.defined());
  const bool full = kl_retain || (is_forget && o == Objective::UNDIAL);  // UNDIAL distils whole distributions
  torch::Tensor logits = full ? model::batch_logits(m, b.input_ids, b.attention_mask) : torch::Tensor();  // [B, T, V]
  auto [logp, mask] = full ? model::token_logprobs(logits, b.labels)
                           : model::lean_token_logprobs(m, b.input_ids, b.attention_mask, b.labels);  // [B, T-1]
  auto lp = logp.sum(1), n = mask.sum(1);                 // [B] summed log-prob, [B] loss tokens
  auto nll = -logp.sum() / mask.sum().clamp_min(1.0);     // mean CE over loss tokens (causal_lm_loss)
  const char* key = is_forget ? "nll_f" : "nll_r";
  t.logs[key] = nll.detach();
  if (o == Objective::SFT) {
    t.loss = nll;
  } else if (!is_forget) {
    t.loss = retain_term(m, b, p, all_kl, logits, logp, mask, nll, t.logs);
  } else if (o == Objective::GD || o == Objective::GA || o == Objective::KL) {
    t.loss = -nll;
  } else if (o == Objective::Seed) {
    t.loss = nll;
  } else if (o == Objective::NPO) {
    auto lp_ref = reference_seq_logprob(m, b);  // [B]
    // (2/β)·log(1 + exp(β·(log π_θ − log π_ref))) = (2/β)·softplus(β·Δ)
    auto l = torch::softplus(p.npo_beta * (lp - lp_ref)).mean() * (2.0 / p.npo_beta);
    t.logs["npo_f"] = l.detach();
    t.loss = l;
  } else if (o == Objective::SimNPO) {
    auto avg_nll = -lp / n.clamp_min(1.0);  // S_f / |y|
    auto l = -torch::log_sigmoid(p.simnpo_beta * (avg_nll - p.simnpo_delta)).mean() * (2.0 / p.simnpo_beta);
    t.logs["simnpo_f"] = l.detach();
    t.loss = l;
  } else if (o == Objective::UNDIAL) {
    auto l = undial_forget_loss(logits, reference_logits(m, b), b.labels, p.undial_beta);
    t.logs["undial_f"] = l.detach();
    t.loss = l;
  } else if (o == Objective::IdkDPO) {
    // −(2/β)·log σ(β·[(log π_θ(y_w) − log π_ref(y_w)) − (log π_θ(y_l) − log π_ref(y_l))]), summed log-probs.
    auto w = idk_batch(b, p.idk_answers);
    auto lp_w = model::lean_token_logprobs(m, w.input_ids, w.attention_mask, w.labels).first.sum(1);  // [B]
    auto margin = (lp_w - reference_seq_logprob(m, w)) - (lp - reference_seq_logprob(m, b));          // [B]
    auto l = -torch::log_sigmoid(p.dpo_beta * margin).mean() * (2.0 / p.dpo_beta);
    t.logs["idkdpo_f"] = l.detach();
    t.loss = l;
  } else if (o == Objective::Calibrated) {
    auto lp_ref = p.calib_npo ? reference_seq_logprob(m, b) : torch::Tensor();  // [B] or undefined
    t.loss = calibrated_forget_loss(lp, n, b, p, t.logs, logp, mask, lp_ref);
  }
  return t;
}

const std::vector<std::string>& objective_log_keys() {
  static const std::vector<std::string> keys = {"nll_f", "nll_r", "kl_r", "npo_f", "simnpo_f", "calib_f", "below_tau", "undial_f", "rmu_f", "rmu_r", "idkdpo_f"};
  return keys;
}

}  // namespace libu::unlearn
