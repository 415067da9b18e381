#include "libu/unlearn/objectives.h"

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
  fail(cat("unknown objective '", s, "'"), "use gd, ga, kl, npo, simnpo, seed, sft or calibrated");
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
  }
  return "?";
}

bool uses_retain(Objective o) { return o != Objective::GA && o != Objective::Seed; }

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

// KL(π_ref ‖ π_θ) per loss position, averaged over loss positions (shifted like the CE).
torch::Tensor kl_ref_theta(const torch::Tensor& logits, const torch::Tensor& ref_logits, const torch::Tensor& labels) {
  int64_t T = logits.size(1);
  auto lp = torch::log_softmax(logits.narrow(1, 0, T - 1), -1);      // [B, T-1, V]
  auto lq = torch::log_softmax(ref_logits.narrow(1, 0, T - 1), -1);  // [B, T-1, V]
  auto kl = (lq.exp() * (lq - lp)).sum(-1);                           // [B, T-1]
  auto mask = labels.narrow(1, 1, T - 1).ne(model::kIgnoreIndex).to(torch::kFloat);
  return (kl * mask).sum() / mask.sum().clamp_min(1.0);
}

}  // namespace

torch::Tensor calibrated_forget_loss(const torch::Tensor& lp, const torch::Tensor& n, const TensorBatch& b,
                                     const ObjectiveParams& p, std::map<std::string, torch::Tensor>& logs) {
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
  auto w = b.weight.defined() ? b.weight.to(lp.dtype()) * has : has;  // [B]
  auto l = (hinge * w).sum() / w.sum().clamp_min(1e-12);
  logs["calib_f"] = l.detach();
  logs["below_tau"] = ((nll_row < tau).to(lp.dtype()) * has).sum().detach() / has.sum().clamp_min(1.0).detach();
  return l;
}

Terms objective_loss(Objective o, model::CausalLM& m, const TensorBatch& b, bool is_forget, const ObjectiveParams& p) {
  Terms t;
  if (!is_forget && !uses_retain(o)) return t;
  // Token log-probs at the loss positions through the lean LM head (no [B, T, V] logits);
  // only KL's retain term needs the full distribution, so it runs one full forward instead.
  const bool kl_retain = o == Objective::KL && !is_forget;
  torch::Tensor logits = kl_retain ? model::batch_logits(m, b.input_ids, b.attention_mask) : torch::Tensor();  // [B, T, V]
  auto [logp, mask] = kl_retain ? model::token_logprobs(logits, b.labels)
                                : model::lean_token_logprobs(m, b.input_ids, b.attention_mask, b.labels);  // [B, T-1]
  auto lp = logp.sum(1), n = mask.sum(1);                 // [B] summed log-prob, [B] loss tokens
  auto nll = -logp.sum() / mask.sum().clamp_min(1.0);     // mean CE over loss tokens (causal_lm_loss)
  const char* key = is_forget ? "nll_f" : "nll_r";
  t.logs[key] = nll.detach();
  if (o == Objective::SFT) {
    t.loss = nll;
  } else if (!is_forget) {
    if (o == Objective::KL) {
      auto kl = kl_ref_theta(logits, reference_logits(m, b), b.labels);
      t.logs["kl_r"] = kl.detach();
      t.loss = p.retain_weight * kl;
    } else {
      t.loss = p.retain_weight * nll;
    }
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
  } else if (o == Objective::Calibrated) {
    t.loss = calibrated_forget_loss(lp, n, b, p, t.logs);
  }
  return t;
}

const std::vector<std::string>& objective_log_keys() {
  static const std::vector<std::string> keys = {"nll_f", "nll_r", "kl_r", "npo_f", "simnpo_f", "calib_f", "below_tau"};
  return keys;
}

}  // namespace libu::unlearn
