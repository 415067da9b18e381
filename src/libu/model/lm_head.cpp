// libu/model/lm_head.cpp — see lm_head.h.
#include "libu/model/lm_head.h"

#include <algorithm>

#include "libu/core/error.h"
#include "libu/model/loss.h"
#include "libu/model/packing.h"

namespace libu::model {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The accumulation dtype: fp32, or fp64 for fp64 inputs (the finite-difference tests).
c10::ScalarType acc_dtype(const torch::Tensor& h) { return h.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat; }

// One chunk's logits at temperature T, in the accumulation dtype: [c, V].
torch::Tensor chunk_logits(const torch::Tensor& h, const torch::Tensor& W, double T) {
  auto z = torch::linear(h, W).to(acc_dtype(h));
  return T == 1.0 ? z : z / T;
}

struct LabelLogprobFn : public torch::autograd::Function<LabelLogprobFn> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor h, torch::Tensor W, torch::Tensor y, double T,
                               int64_t chunk) {
    const int64_t N = h.size(0);
    auto out = torch::empty({N}, h.options().dtype(acc_dtype(h)));  // [N]
    auto lse = torch::empty({N}, h.options().dtype(acc_dtype(h)));  // [N]
    for (int64_t s = 0; s < N; s += chunk) {
      const int64_t c = std::min(chunk, N - s);
      auto z = chunk_logits(h.narrow(0, s, c), W, T);  // [c, V]
      auto l = torch::logsumexp(z, -1);                // [c]
      lse.narrow(0, s, c).copy_(l);
      out.narrow(0, s, c).copy_(z.gather(1, y.narrow(0, s, c).unsqueeze(1)).squeeze(1) - l);
    }
    ctx->save_for_backward({h, W, y, lse});
    ctx->saved_data["T"] = T;
    ctx->saved_data["chunk"] = chunk;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_out) {
    auto saved = ctx->get_saved_variables();
    const auto &h = saved[0], &W = saved[1], &y = saved[2], &lse = saved[3];
    const double T = ctx->saved_data["T"].toDouble();
    const int64_t chunk = ctx->saved_data["chunk"].toInt(), N = h.size(0);
    const bool need_h = ctx->needs_input_grad(0), need_w = ctx->needs_input_grad(1);
    auto g = grad_out[0].to(acc_dtype(h));  // [N]
    torch::Tensor dh = need_h ? torch::empty_like(h) : torch::Tensor();
    torch::Tensor dW = need_w ? torch::zeros(W.sizes(), W.options().dtype(acc_dtype(h))) : torch::Tensor();
    for (int64_t s = 0; s < N; s += chunk) {
      const int64_t c = std::min(chunk, N - s);
      auto hc = h.narrow(0, s, c), gc = g.narrow(0, s, c).unsqueeze(1);               // [c, D], [c, 1]
      auto p = (chunk_logits(hc, W, T) - lse.narrow(0, s, c).unsqueeze(1)).exp_();   // softmax [c, V]
      auto dz = p.mul_(gc).neg_();                                                   // −g·p
      dz.scatter_add_(1, y.narrow(0, s, c).unsqueeze(1), gc);                        // + g·onehot
      if (T != 1.0) dz.div_(T);
      if (need_h) dh.narrow(0, s, c).copy_(torch::matmul(dz.to(h.scalar_type()), W));  // [c, D]
      if (need_w) dW.add_(torch::matmul(dz.t(), hc.to(dz.scalar_type())));             // [V, D]
    }
    return {dh, need_w ? dW.to(W.scalar_type()) : torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

namespace {
thread_local bool full_logits_mode = false;
int64_t keep_bytes = int64_t(256) << 20;
}  // namespace

int64_t lean_head_keep_bytes() { return keep_bytes; }
void set_lean_head_keep_bytes(int64_t bytes) { keep_bytes = bytes; }

FullLogitsGuard::FullLogitsGuard() : prev_(full_logits_mode) { full_logits_mode = true; }
FullLogitsGuard::~FullLogitsGuard() { full_logits_mode = prev_; }
bool FullLogitsGuard::active() { return full_logits_mode; }

int64_t lm_head_chunk_rows(int64_t vocab) { return std::max<int64_t>(1, (int64_t(16) << 20) / std::max<int64_t>(1, vocab)); }

torch::Tensor label_logprobs(const torch::Tensor& h, const torch::Tensor& W, const torch::Tensor& y, double temperature,
                             int64_t chunk_rows) {
  if (chunk_rows <= 0) {
    // Small enough to keep, or a twice-differentiable graph is needed: plain autograd at the
    // loss positions (one [N, V] fp32 tensor is cheaper than recomputing the logits).
    if (FullLogitsGuard::active() || h.size(0) * W.size(0) * 4 <= lean_head_keep_bytes()) {
      auto z = chunk_logits(h, W, temperature);                                   // [N, V]
      return torch::log_softmax(z, -1).gather(1, y.unsqueeze(1)).squeeze(1);     // [N]
    }
    chunk_rows = lm_head_chunk_rows(W.size(0));
  }
  return LabelLogprobFn::apply(h, W, y, temperature, chunk_rows);
}

namespace {

// The loss positions of a [B, T] batch: y = labels[:, 1:] [B, T-1], mask = (y != -100), and
// k [n] the flat indices of the loss positions in [B*(T-1)].
struct LossPositions {
  torch::Tensor y, mask, k;
};
LossPositions loss_positions(const torch::Tensor& labels, c10::Device dev) {
  auto y = labels.narrow(1, 1, labels.size(1) - 1).to(dev);  // [B, T-1]
  auto mask = y.ne(kIgnoreIndex);
  return {y, mask, mask.reshape({-1}).nonzero().squeeze(1)};
}

// hs [n, D]: the hidden states at the loss positions p.k -> logp/mask [B, T-1] in the padded
// layout (0 where masked), through label_logprobs.
std::pair<torch::Tensor, torch::Tensor> logprobs_at(CausalLM& m, const torch::Tensor& hs, const LossPositions& p,
                                                    double temperature) {
  auto lp = label_logprobs(hs, m.head_weight(), p.y.reshape({-1}).index_select(0, p.k), temperature);  // [n]
  auto full = torch::zeros({p.y.numel()}, lp.options()).index_put({p.k}, lp);  // differentiable scatter
  return {full.view(p.y.sizes()), p.mask.to(torch::kFloat)};
}

// The hidden states at the loss positions p.k: [n, D]. Packed (packing.h: the real tokens only)
// when a pack plan is active, else the padded batch's.
torch::Tensor hidden_at_loss_positions(CausalLM& m, const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                       const LossPositions& p) {
  const int64_t B = input_ids.size(0), T = input_ids.size(1);
  auto plan = T > 1 ? active_pack_plan(attention_mask) : std::nullopt;
  if (!plan) {
    auto h = m.hidden_states(input_ids, attention_mask);  // [B, T, D]
    return h.narrow(1, 0, T - 1).reshape({B * (T - 1), -1}).index_select(0, p.k);
  }
  auto h = packed_hidden(m, input_ids, *plan);  // [N, D]
  auto bt = p.k.div(T - 1, "floor") * T + p.k.remainder(T - 1);  // [n] the loss positions in [B*T]
  auto long_opts = torch::TensorOptions().dtype(torch::kLong).device(h.device());
  auto row_of = torch::full({B * T}, -1, long_opts).index_put_({plan->all_src.to(h.device())}, torch::arange(plan->tokens, long_opts));
  auto rows = row_of.index_select(0, bt);  // [n] rows of h
  if (rows.numel() > 0 && rows.min().item<int64_t>() < 0)
    fail_internal("lean_token_logprobs: a loss position lies on padding");
  return h.index_select(0, rows);
}

// Moments of log p for rows of logits z [c, V] (any float dtype): mu = Σ_v p_v log p_v,
// var = Σ_v p_v (log p_v)² − mu², in fp64 from fp32 log-probs (as mia_attacks.h logprob_moments). [c] each.
std::pair<torch::Tensor, torch::Tensor> logprob_moments(const torch::Tensor& z) {
  auto lpv = torch::log_softmax(z.to(torch::kFloat), -1).to(torch::kDouble);  // [c, V]
  auto p = lpv.exp();                                                          // [c, V]
  auto pos = p.gt(0);
  auto plp = torch::where(pos, p * lpv, torch::zeros_like(p));
  auto mu = plp.sum(-1);                                                // [c]
  auto m2 = torch::where(pos, plp * lpv, torch::zeros_like(p)).sum(-1);  // [c]
  return {mu, m2 - mu * mu};
}

// Scores of rows of logits z [c, V] (fp32) against labels y [c]: log p(y), argmax == y, moments.
struct ChunkScores {
  torch::Tensor logp, hit, mu, var;  // [c] each
};
ChunkScores chunk_scores(const torch::Tensor& z, const torch::Tensor& y, bool hits, bool moments) {
  ChunkScores s;
  s.logp = torch::log_softmax(z, -1).gather(1, y.unsqueeze(1)).squeeze(1);  // as token_logprobs, bit for bit
  if (hits) s.hit = z.argmax(-1).eq(y).to(torch::kFloat);
  if (moments) std::tie(s.mu, s.var) = logprob_moments(z);
  return s;
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> lean_token_logprobs(CausalLM& m, const torch::Tensor& input_ids,
                                                            const torch::Tensor& attention_mask,
                                                            const torch::Tensor& labels, double temperature) {
  const bool packed = input_ids.size(1) > 1 && active_pack_plan(attention_mask).has_value();
  // Unpacked: full logits when a guard asks for a twice-differentiable graph, or when they are
  // small: then this is exactly the plain path (same numbers, bit for bit, as before the lean head).
  const int64_t full_bytes = input_ids.numel() * m.config().vocab_size * 4;
  if (!packed && (FullLogitsGuard::active() || full_bytes <= lean_head_keep_bytes())) {
    auto logits = m.forward(input_ids, attention_mask);  // [B, T, V]
    return token_logprobs(temperature == 1.0 ? logits : logits / temperature, labels);
  }
  auto p = loss_positions(labels, input_ids.device());
  return logprobs_at(m, hidden_at_loss_positions(m, input_ids, attention_mask, p), p, temperature);
}

torch::Tensor lean_causal_lm_loss(CausalLM& m, const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                  const torch::Tensor& labels, double temperature) {
  auto [logp, mask] = lean_token_logprobs(m, input_ids, attention_mask, labels, temperature);
  return -logp.sum() / mask.sum().clamp_min(1.0);
}

LossPositionStates loss_position_states(CausalLM& m, const torch::Tensor& input_ids,
                                        const torch::Tensor& attention_mask, const torch::Tensor& labels) {
  auto p = loss_positions(labels, input_ids.device());
  return {hidden_at_loss_positions(m, input_ids, attention_mask, p), p.k, p.y.reshape({-1}).index_select(0, p.k)};
}

TokenScores token_scores(CausalLM& m, const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                         const torch::Tensor& labels, bool with_hits, bool with_moments) {
  torch::NoGradGuard ng;
  const int64_t V = m.config().vocab_size;
  auto p = loss_positions(labels, m.device());  // y, mask [B, T-1]; k [n]
  const int64_t n = p.k.numel();
  torch::Tensor z_all, h;  // full logits at the loss positions [n, V], or their hidden states [n, D]
  if (input_ids.numel() * V * 4 <= lean_head_keep_bytes()) {
    auto logits = batch_logits(m, input_ids, attention_mask);  // [B, T, V] fp32
    const int64_t T = logits.size(1);
    z_all = logits.narrow(1, 0, T - 1).reshape({-1, V}).index_select(0, p.k);
  } else {
    h = hidden_at_loss_positions(m, input_ids, attention_mask, p);
  }
  const int64_t chunk = z_all.defined() ? 256 : lm_head_chunk_rows(V);
  auto y = p.y.reshape({-1}).index_select(0, p.k);  // [n]
  auto f32 = torch::TensorOptions().dtype(torch::kFloat).device(m.device());
  auto f64 = f32.dtype(torch::kDouble);
  torch::Tensor logp = torch::zeros({n}, f32), hit, mu, var;  // [n] each
  if (with_hits) hit = torch::zeros({n}, f32);
  if (with_moments) mu = torch::zeros({n}, f64), var = torch::zeros({n}, f64);
  for (int64_t s = 0; s < n; s += chunk) {
    const int64_t c = std::min(chunk, n - s);
    auto z = z_all.defined() ? z_all.narrow(0, s, c) : chunk_logits(h.narrow(0, s, c), m.head_weight(), 1.0).to(torch::kFloat);
    auto cs = chunk_scores(z, y.narrow(0, s, c), with_hits, with_moments);
    logp.narrow(0, s, c).copy_(cs.logp);
    if (with_hits) hit.narrow(0, s, c).copy_(cs.hit);
    if (with_moments) mu.narrow(0, s, c).copy_(cs.mu), var.narrow(0, s, c).copy_(cs.var);
  }
  // Back to the padded layout [B, T-1], 0 off the loss positions.
  auto place = [&](const torch::Tensor& v) {
    return torch::zeros({p.y.numel()}, v.options()).index_put_({p.k}, v).view(p.y.sizes());
  };
  TokenScores out{place(logp), p.mask.to(torch::kFloat), {}, {}, {}};
  if (with_hits) out.hit = place(hit);
  if (with_moments) out.mu = place(mu), out.var = place(var);
  return out;
}

}  // namespace libu::model
