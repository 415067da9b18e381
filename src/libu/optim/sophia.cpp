// Sophia (Liu et al., ICLR 2024) — see sophia.h for the math of each variant.
#include "libu/optim/sophia.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <string>

#include "libu/core/error.h"

namespace libu::optim {

const char* variant_name(SophiaVariant v) {
  switch (v) {
    case SophiaVariant::G: return "g";
    case SophiaVariant::Seed: return "seed";
    case SophiaVariant::H: return "h";
  }
  return "?";
}

SophiaVariant parse_sophia_variant(const std::string& s) {
  if (s == "g") return SophiaVariant::G;
  if (s == "seed") return SophiaVariant::Seed;
  if (s == "h") return SophiaVariant::H;
  fail(cat("unknown Sophia variant '", s, "'"), "choose one of: g, seed, h (see docs/unlearning.md)");
}

SophiaOptions SophiaOptions::defaults(SophiaVariant v) {
  SophiaOptions o;  // g's defaults: β = (0.965, 0.99), ρ = 0.04, wd = 0.1, k = 10
  o.variant = v;
  if (v == SophiaVariant::Seed) {
    o.beta1 = 0.9;
    o.beta2 = 0.999;
    o.hessian_prob = 0.08;
    o.gamma = 1.15;
    o.weight_decay = 0.0;
    o.eps = 1e-8;
  }
  return o;
}

void SophiaOptions::validate() const {
  auto in01 = [](double x) { return x >= 0 && x < 1; };
  if (!in01(beta1)) fail(cat("sophia: beta1 ", beta1, " is outside [0, 1)"));
  if (!in01(beta2)) fail(cat("sophia: beta2 ", beta2, " is outside [0, 1)"));
  if (!(weight_decay >= 0)) fail(cat("sophia: weight decay ", weight_decay, " must be ≥ 0"));
  if (!(eps > 0)) fail(cat("sophia: eps ", eps, " must be > 0"));
  if (variant == SophiaVariant::Seed) {
    if (!(gamma > 0)) fail(cat("sophia seed: gamma ", gamma, " must be > 0"));
    if (!(hessian_prob >= 0 && hessian_prob <= 1))
      fail(cat("sophia seed: rho (h update probability) ", hessian_prob, " is outside [0, 1]"));
  } else {
    if (!(rho > 0)) fail(cat("sophia ", variant_name(variant), ": rho ", rho, " must be > 0"));
    if (hessian_interval < 1)
      fail(cat("sophia ", variant_name(variant), ": Hessian interval k = ", hessian_interval,
               " must be ≥ 1"));
  }
}

nlohmann::json SophiaOptions::to_json() const {
  nlohmann::json j = {{"variant", variant_name(variant)}, {"beta1", beta1}, {"beta2", beta2}, {"rho", rho},
          {"weight_decay", weight_decay}, {"hessian_interval", hessian_interval},
          {"gamma", gamma}, {"hessian_prob", hessian_prob}, {"eps", eps},
          {"seed", std::to_string(seed)}};
  if (warm) j["warm"] = true;  // absent when off: the options of existing runs read as before
  return j;
}

namespace {
// SophiaOptions::validate before the member initialisers use the options.
const SophiaOptions& validated(const SophiaOptions& o) {
  o.validate();
  return o;
}
}  // namespace

Sophia::Sophia(std::vector<torch::Tensor> params, const SophiaOptions& options,
               std::vector<std::string> names)
    : Optimizer(std::move(params), std::move(names)), opts_(validated(options)), rng_(options.seed),
      win_rate_(std::numeric_limits<double>::quiet_NaN()) {
  // State starts at zero, as the official lazy initialisation (zeros_like) does; fp32 always.
  for (const auto& p : params_) {
    auto o = p.options().dtype(torch::kFloat32).requires_grad(false);
    m_.push_back(torch::zeros(p.sizes(), o));
    h_.push_back(torch::zeros(p.sizes(), o));
  }
}

std::string Sophia::name() const { return cat("sophia-", variant_name(opts_.variant)); }

HessianSource Sophia::hessian_source() const {
  switch (opts_.variant) {
    case SophiaVariant::G: return HessianSource::GaussNewtonBartlett;
    case SophiaVariant::H: return HessianSource::Hutchinson;
    case SophiaVariant::Seed: return HessianSource::None;
  }
  return HessianSource::None;
}

bool Sophia::hessian_due() const {
  if (opts_.variant == SophiaVariant::Seed) return false;
  if (opts_.warm && hessian_updates_ == 0) return true;  // before the first step
  return steps_ > 0 && steps_ % opts_.hessian_interval == 0;
}

void Sophia::update_hessian(const std::vector<torch::Tensor>& estimate) {
  if (opts_.variant == SophiaVariant::Seed)
    fail("sophia-seed: update_hessian is not used by the seed variant (its h is updated from g⊙g "
         "inside step())");
  if (estimate.size() != params_.size())
    fail(cat(name(), ": update_hessian got ", estimate.size(), " estimates for ", params_.size(),
             " parameters"));
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!estimate[i].defined()) continue;
    if (!estimate[i].sizes().equals(params_[i].sizes()))
      fail(cat(name(), ": Hessian estimate of '", names_[i], "' has ", estimate[i].numel(),
               " elements in another shape than the parameter"));
    // h ← β2 h + (1−β2) ĥ   [shape of θ_i], fp32 (paper Algorithm 3, line "h_t = β2 h_{t−k} + ...")
    h_[i].mul_(opts_.beta2).add_(estimate[i].detach().to(h_[i].options()), 1.0 - opts_.beta2);
  }
  ++hessian_updates_;
}

std::vector<torch::Tensor> Sophia::gnb_estimate(const std::vector<torch::Tensor>& sampled_grads) {
  std::vector<torch::Tensor> est;
  est.reserve(sampled_grads.size());
  torch::NoGradGuard no_grad;
  for (const auto& g : sampled_grads) {
    if (!g.defined()) {
      est.emplace_back();
      continue;
    }
    auto g32 = g.detach().to(torch::kFloat32);
    est.push_back(g32 * g32);  // ĝ⊙ĝ (paper Algorithm 2)
  }
  return est;
}

void Sophia::update_hessian_gnb(const std::vector<torch::Tensor>& sampled_grads) {
  if (opts_.variant != SophiaVariant::G)
    fail(cat(name(), ": update_hessian_gnb is the Gauss-Newton-Bartlett estimate of variant g"));
  update_hessian(gnb_estimate(sampled_grads));
}

void Sophia::do_step(const std::vector<torch::Tensor>& grads, double lr, int64_t tokens_per_step) {
  const bool seed = opts_.variant == SophiaVariant::Seed;
  if (opts_.variant == SophiaVariant::G && tokens_per_step <= 0)
    fail(cat("sophia-g: tokens_per_step is ", tokens_per_step, "; the clipped update needs bs > 0"),
         "pass the number of loss tokens in this optimizer step");
  torch::NoGradGuard no_grad;
  const double b1 = opts_.beta1, b2 = opts_.beta2;
  const int64_t t = steps_ + 1;  // 1-based step count (seed's bias correction)
  const double bc1 = 1.0 - std::pow(b1, static_cast<double>(t));
  const double bc2 = 1.0 - std::pow(b2, static_cast<double>(t));

  torch::Tensor not_clipped;  // scalar int64 on the device: one sync at the end of the step
  int64_t total = 0;
  for (size_t i = 0; i < params_.size(); ++i) {
    // seed: one draw per tensor per step, for every tensor in order (even one without a grad),
    // so the RNG stream does not depend on which grads exist.
    const bool update_h = seed && rng_.uniform() < opts_.hessian_prob;
    if (!grads[i].defined()) continue;
    auto& p = params_[i];
    auto g = grads[i].detach().to(torch::kFloat32);  // [shape of θ_i]
    // θ in fp32: a view of p itself when p is fp32, else a copy written back below.
    auto theta = p.detach().to(torch::kFloat32);
    auto& m = m_[i];
    auto& h = h_[i];

    // Decoupled weight decay θ ← θ(1 − lr·wd) (official sophia.py: param.mul_(1 − lr·wd)).
    if (opts_.weight_decay != 0.0) theta.mul_(1.0 - lr * opts_.weight_decay);
    // m ← β1 m + (1−β1) g
    m.mul_(b1).add_(g, 1.0 - b1);

    torch::Tensor ratio;  // [shape of θ_i]
    if (seed) {
      // h ← β2 h + (1−β2) g⊙g, with probability hessian_prob (true labels: g itself).
      if (update_h) h.mul_(b2).addcmul_(g, g, 1.0 - b2);
      // m̂ = m/(1−β1^t), ĥ = h/(1−β2^t); θ ← θ − lr·clamp(m̂ / max(γ·ĥ, 1e-8), −1, 1)
      auto m_hat = m / bc1;
      auto h_hat = h / bc2;
      ratio = m_hat / (h_hat * opts_.gamma).clamp_min(opts_.eps);
      theta.add_(ratio.clamp(-1.0, 1.0), -lr);
      ratio = ratio.abs();
    } else {
      // g: θ ← θ − lr·sign(m)·min(|m| / (ρ·bs·h + 1e-15), 1)   (official SophiaG)
      // h: θ ← θ − lr·sign(m)·min(|m| / max(ρ·h, eps), 1)      (Algorithm 3; see sophia.h)
      // Warm: ĥ = h/(1 − β2^n) after n estimates (sophia.h SophiaOptions::warm).
      const double hb = opts_.warm && hessian_updates_ > 0 ? 1.0 - std::pow(b2, double(hessian_updates_)) : 1.0;
      torch::Tensor denom = opts_.variant == SophiaVariant::G
                                ? h * (opts_.rho * static_cast<double>(tokens_per_step) / hb) + opts_.eps
                                : (h * (opts_.rho / hb)).clamp_min(opts_.eps);
      ratio = m.abs() / denom;
      theta.addcmul_(m.sign(), ratio.clamp_max(1.0), -lr);
    }
    auto n = (ratio < 1.0).sum();  // coordinates not clipped
    not_clipped = not_clipped.defined() ? not_clipped + n : n;
    total += ratio.numel();
    if (p.scalar_type() != torch::kFloat32) p.detach().copy_(theta);  // fp32 → param dtype
  }
  win_rate_ = total > 0 ? static_cast<double>(not_clipped.item<int64_t>()) / static_cast<double>(total)
                        : std::numeric_limits<double>::quiet_NaN();
}

nlohmann::json Sophia::step_stats() const {
  nlohmann::json j = nlohmann::json::object();
  if (std::isfinite(win_rate_)) j["win_rate"] = win_rate_;
  return j;
}

std::map<std::string, torch::Tensor> Sophia::state_tensors() const {
  std::map<std::string, torch::Tensor> out;
  for (size_t i = 0; i < params_.size(); ++i) {
    out[names_[i] + ".exp_avg"] = m_[i].clone();
    out[names_[i] + ".hessian"] = h_[i].clone();
  }
  return out;
}

nlohmann::json Sophia::state_json() const {
  nlohmann::json rng = nlohmann::json::array();
  for (uint64_t v : rng_.state()) rng.push_back(std::to_string(v));  // strings: exact in any JSON reader
  nlohmann::json j = {{"optimizer", "sophia"},
                      {"variant", variant_name(opts_.variant)},
                      {"steps", steps_},
                      {"hessian_updates", hessian_updates_},
                      {"rng", rng},
                      {"options", opts_.to_json()}};
  if (std::isfinite(win_rate_)) j["last_win_rate"] = win_rate_;
  return j;
}

void Sophia::load_state(const std::map<std::string, torch::Tensor>& tensors, const nlohmann::json& json) {
  const std::string ctx = cat(name(), " state");
  if (!json.is_object() || json.value("optimizer", std::string()) != "sophia")
    fail(cat(ctx, ": the checkpoint's optimizer state is not Sophia's"),
         "resume with the optimizer the run was started with");
  const std::string variant = json.value("variant", std::string());
  if (variant != variant_name(opts_.variant))
    fail(cat(ctx, ": the checkpoint holds Sophia variant '", variant, "', this run uses '",
             variant_name(opts_.variant), "'"),
         "resume with the same --sophia variant");
  for (const char* k : {"steps", "hessian_updates", "rng"})
    if (!json.contains(k)) fail(cat(ctx, ": JSON lacks \"", k, "\""));
  const auto& jr = json["rng"];
  if (!jr.is_array() || jr.size() != 4) fail(cat(ctx, ": \"rng\" must be 4 integers"));
  std::array<uint64_t, 4> rs{};
  for (size_t i = 0; i < 4; ++i) {
    try {
      rs[i] = jr[i].is_string() ? std::stoull(jr[i].get<std::string>()) : jr[i].get<uint64_t>();
    } catch (const std::exception&) {
      fail(cat(ctx, ": \"rng\"[", i, "] is not an unsigned 64-bit integer: ", jr[i].dump()));
    }
  }

  std::map<std::string, std::vector<int64_t>> expected;
  for (size_t i = 0; i < params_.size(); ++i) {
    expected[names_[i] + ".exp_avg"] = params_[i].sizes().vec();
    expected[names_[i] + ".hessian"] = params_[i].sizes().vec();
  }
  check_state_keys(tensors, expected, ctx);
  for (const auto& kv : tensors)
    if (kv.second.scalar_type() != torch::kFloat32)
      fail(cat(ctx, ": tensor '", kv.first, "' is ", kv.second.dtype(), ", Sophia state is float32"));

  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < params_.size(); ++i) {
    m_[i].copy_(tensors.at(names_[i] + ".exp_avg"));  // fp32 → fp32 (any device): bit exact
    h_[i].copy_(tensors.at(names_[i] + ".hessian"));
  }
  steps_ = json["steps"].get<int64_t>();
  hessian_updates_ = json["hessian_updates"].get<int64_t>();
  rng_.set_state(rs);
  win_rate_ = json.contains("last_win_rate") ? json["last_win_rate"].get<double>()
                                              : std::numeric_limits<double>::quiet_NaN();
}

// ---------------------------------------------------------------------------------------------
// Helpers for the curvature estimates

torch::Tensor rademacher(at::IntArrayRef shape, Rng& rng, const torch::TensorOptions& options) {
  auto cpu = torch::empty(shape, torch::TensorOptions().dtype(torch::kFloat32));
  float* d = cpu.data_ptr<float>();
  const int64_t n = cpu.numel();
  uint64_t bits = 0;
  for (int64_t j = 0; j < n; ++j) {
    if ((j & 63) == 0) bits = rng.next_u64();
    d[j] = ((bits >> (j & 63)) & 1u) ? 1.0f : -1.0f;
  }
  return cpu.to(options.dtype(torch::kFloat32));
}

HutchinsonResult hutchinson_diag(const torch::Tensor& loss, const std::vector<torch::Tensor>& params,
                                 Rng& rng, int64_t samples) {
  if (samples < 1) fail(cat("hutchinson_diag: samples = ", samples, " must be ≥ 1"));
  if (!loss.defined() || loss.numel() != 1)
    fail("hutchinson_diag: the loss must be a defined scalar tensor");
  if (!loss.requires_grad())
    fail("hutchinson_diag: the loss does not depend on any parameter that requires grad");
  for (size_t i = 0; i < params.size(); ++i)
    if (!params[i].requires_grad()) fail(cat("hutchinson_diag: parameter ", i, " does not require grad"));

  // First backward keeps its graph (create_graph) so that ∇L·u can be differentiated again.
  auto g = torch::autograd::grad({loss}, params, /*grad_outputs=*/{}, /*retain_graph=*/true,
                                 /*create_graph=*/true, /*allow_unused=*/true);
  HutchinsonResult r;
  for (size_t i = 0; i < params.size(); ++i) {
    auto f32 = params[i].options().dtype(torch::kFloat32).requires_grad(false);
    r.grads.push_back(g[i].defined() ? g[i].detach().clone() : torch::zeros(params[i].sizes(), params[i].options().requires_grad(false)));
    r.diag.push_back(torch::zeros(params[i].sizes(), f32));
  }
  for (int64_t s = 0; s < samples; ++s) {
    // u drawn for every param in order, used or not, so the RNG stream is fixed.
    std::vector<torch::Tensor> u;
    for (const auto& p : params) u.push_back(rademacher(p.sizes(), rng, p.options()));
    torch::Tensor gu;  // scalar ∇L·u
    for (size_t i = 0; i < params.size(); ++i) {
      if (!g[i].defined() || !g[i].requires_grad()) continue;  // gradient constant in θ: Hu = 0 there
      auto term = (g[i].to(torch::kFloat32) * u[i]).sum();
      gu = gu.defined() ? gu + term : term;
    }
    if (!gu.defined()) continue;  // loss linear in θ: ∇²L = 0
    const bool last = s + 1 == samples;
    // ∇²L·u = ∇_θ (∇L·u)
    auto hu = torch::autograd::grad({gu}, params, {}, /*retain_graph=*/!last, /*create_graph=*/false,
                                    /*allow_unused=*/true);
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i)
      if (hu[i].defined()) r.diag[i].add_(u[i] * hu[i].to(torch::kFloat32));  // u ⊙ (∇²L·u)
  }
  torch::NoGradGuard no_grad;
  if (samples > 1)
    for (auto& d : r.diag) d.div_(static_cast<double>(samples));
  return r;
}

torch::Tensor sample_categorical(const torch::Tensor& logits, Rng& rng) {
  if (!logits.defined() || logits.dim() != 2 || logits.size(1) < 1)
    fail("sample_categorical: logits must be [N, V] with V ≥ 1");
  // One uniform per row, drawn on the CPU in row order.
  const int64_t n = logits.size(0);
  auto u = torch::empty({n}, torch::TensorOptions().dtype(torch::kFloat64));
  double* ud = u.data_ptr<double>();
  for (int64_t r = 0; r < n; ++r) ud[r] = rng.uniform();
  return sample_with_uniforms(logits, u);
}

torch::Tensor sample_with_uniforms(const torch::Tensor& logits, const torch::Tensor& u_rows) {
  if (!logits.defined() || logits.dim() != 2 || logits.size(1) < 1 || u_rows.numel() != logits.size(0))
    fail("sample_with_uniforms: logits must be [N, V] with V ≥ 1 and one uniform per row");
  torch::NoGradGuard no_grad;
  const int64_t n = logits.size(0), v = logits.size(1);
  auto u = u_rows.reshape({n, 1}).to(logits.device());
  auto out = torch::empty({n}, torch::TensorOptions().dtype(torch::kInt64).device(logits.device()));
  const int64_t chunk = 256;  // rows per chunk: bounds the [chunk, V] CDF buffer
  for (int64_t r0 = 0; r0 < n; r0 += chunk) {
    const int64_t r1 = std::min(n, r0 + chunk);
    auto p = torch::softmax(logits.slice(0, r0, r1).to(torch::kFloat32), -1);  // [c, V]
    auto cdf = p.cumsum(-1);                                                    // [c, V], non-decreasing
    auto target = u.slice(0, r0, r1).to(torch::kFloat32) * cdf.slice(1, v - 1, v);  // [c, 1], u·total
    // Inverse CDF: ŷ = the first j with cdf_j > u·total = #{j : cdf_j ≤ u·total}.
    auto idx = (cdf <= target).sum(-1).clamp_max(v - 1);  // [c]
    out.slice(0, r0, r1).copy_(idx);
  }
  return out;
}

}  // namespace libu::optim
