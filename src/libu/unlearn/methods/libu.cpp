// LIBU (Kudelya & Shirnin 2025, §3.1–3.3; docs/unlearning.md). Phase 1: retain diagonal
// Fisher F and mean forget gradient g over the LoRA parameters, then θ ← θ ± η₁·g/(F+λ)
// (`+` for preset libu: ascent on the forget loss; `−` for libu-seed, the published code).
// Phase 2: the shared trainer with Sophia on the chosen objective (calibrated with --holdout,
// else gd, for libu; seed for libu-seed). Phase 1 searches η₁ (--phase1-lr auto) and scales λ
// to the Fisher (--damping auto).
#include <cmath>

#include "libu/core/log.h"
#include "libu/dist/dist.h"
#include "libu/model/tensor_io.h"
#include "libu/unlearn/calibration.h"
#include "libu/unlearn/fisher.h"
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {

namespace {
using nlohmann::json;

json num_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

// --phase1-lr auto: runs the search, logs every trial into `trials`, returns the chosen η₁.
double search_lr(model::CausalLM& m, const InfluenceStats& stats, double damping, const UnlearnConfig& c,
                 double f0, double r0, const Phase1Measure& measure, json& trials) {
  double budget = 0.5 * c.trainer.retain_tolerance;
  auto found = search_phase1_lr(m, stats, damping, c.phase1_sign, f0, r0, budget, c.trainer.objective_params.calib_tau,
                                measure, int(c.phase1_trials));
  trials = json::array();
  for (auto& tr : found.trials) {
    log_info("phase 1 search: eta1 ", tr.lr, " -> forget NLL ", tr.forget_nll, ", retain NLL ", tr.retain_nll,
             tr.accepted ? " (accepted)" : " (rejected)");
    trials.push_back({{"lr", tr.lr}, {"forget_nll", tr.forget_nll}, {"retain_nll", tr.retain_nll},
                      {"step_norm", tr.step_norm}, {"accepted", tr.accepted}});
  }
  if (found.lr == 0) log_warn("phase 1 search: no eta1 kept the retain NLL within ", budget, " nats; no step taken");
  return found.lr;
}

// --save-phase1: F and g per LoRA tensor ("fisher.<PEFT key>", "grad.<PEFT key>", fp32).
void save_stats(const model::CausalLM& m, const InfluenceStats& s, const std::string& path) {
  std::map<std::string, torch::Tensor> out;
  auto named = m.lora()->named_parameters();
  for (size_t i = 0; i < named.size(); ++i) {
    out["fisher." + named[i].first] = s.fisher[i];
    out["grad." + named[i].first] = s.grad[i];
  }
  model::write_tensors(path, out);
}

class Libu : public Method {
 public:
  std::string name() const override { return "libu"; }
  Objective default_objective() const override { return Objective::GD; }

  json prepare(model::CausalLM& m, const UnlearnData& d, const UnlearnConfig& c) override {
    if (!c.phase1) return nullptr;
    int64_t eval_b = std::max<int64_t>(1, c.plan.batch_size);
    const auto& t = c.trainer;
    // Measurements: mean per-row NLL of the validation rows (else the first 64 training rows).
    auto vf = selection_rows(t.val_forget, d.forget, "--val-forget", "phase 1 measures its eta1 search");
    auto vr = selection_rows(t.val_retain, d.retain, "--val-retain", "phase 1 measures its eta1 search");
    auto measure = [&] {
      return std::make_pair(mean_of(row_nlls(m, vf, d.pad_id, eval_b)), mean_of(row_nlls(m, vr, d.pad_id, eval_b)));
    };
    auto [f0, r0] = measure();
    auto stats = influence_stats(m, d, c.fisher_batch, eval_b, c.fisher_temperature);
    if (c.fisher_step > 0) fisher_ = stats.fisher;  // phase 2's step scale needs it; else freed here
    if (c.save_phase1 && dist::is_main()) save_stats(m, stats, c.out_dir + "/phase1.safetensors");
    double fmean = stats.fisher_mean();
    fisher_mean_ = fmean;
    // --damping auto: λ relative to the Fisher's own level, so the preconditioner neither
    // vanishes into plain ascent (λ ≫ F) nor depends on the model's gradient scale.
    double damping = c.damping_auto ? (fmean > 0 ? c.damping_ratio * fmean : 1e-8) : c.damping;
    log_info("phase 1: retain Fisher mean ", fmean, " over non-zero entries; damping ", damping,
             c.damping_auto ? " (auto)" : "");
    double tau = t.objective_params.calib_tau;
    json trials = nullptr;
    double lr = c.phase1_auto ? search_lr(m, stats, damping, c, f0, r0, measure, trials) : c.phase1_lr;
    double norm = lr > 0 ? influence_step(m, stats, lr, damping, c.phase1_sign) : 0.0;
    auto [f1, r1] = measure();
    log_info("phase 1 (", c.phase1_sign > 0 ? "+" : "-", ", eta1 ", lr, "): forget NLL ", f0, " -> ", f1,
             ", retain NLL ", r0, " -> ", r1, ", step norm ", norm, std::isfinite(tau) ? cat(", tau ", tau) : "");
    return {{"forget_loss_before", f0}, {"forget_loss_after", f1}, {"retain_loss_before", r0},
            {"retain_loss_after", r1}, {"step_norm", norm}, {"sign", c.phase1_sign}, {"lr", lr},
            {"lr_auto", c.phase1_auto}, {"trials", trials}, {"tau", num_or_null(tau)},
            {"gap_closed", tau > f0 ? num_or_null((f1 - f0) / (tau - f0)) : json(nullptr)},
            {"damping", damping}, {"damping_auto", c.damping_auto}, {"fisher_mean", fmean},
            {"fisher_temperature", c.fisher_temperature}, {"retain_batches", stats.retain_batches},
            {"forget_batches", stats.forget_batches}};
  }

  // --fisher-step ρ: s = ρ·F̄/(F + ρ·F̄) per coordinate, from phase 1's retain Fisher.
  std::vector<torch::Tensor> step_scale(const UnlearnConfig& c) const override {
    std::vector<torch::Tensor> s;
    if (c.fisher_step <= 0 || fisher_.empty() || !(fisher_mean_ > 0)) return s;
    const double d = c.fisher_step * fisher_mean_;
    for (auto& f : fisher_) s.push_back(d / (f + d));
    return s;
  }

 private:
  std::vector<torch::Tensor> fisher_;
  double fisher_mean_ = 0;
};
}  // namespace

std::unique_ptr<Method> make_libu() { return std::make_unique<Libu>(); }

std::unique_ptr<Method> make_method(const std::string& name) {
  if (name == "libu") return make_libu();
  if (name == "ga") return make_ga();
  if (name == "gd") return make_gd();
  if (name == "kl") return make_kl();
  if (name == "npo") return make_npo();
  if (name == "simnpo") return make_simnpo();
  if (name == "sugd") return make_sugd();
  if (name == "sft") return make_sft();
  if (name == "undial") return make_undial();
  if (name == "rmu") return make_rmu();
  if (name == "idkdpo") return make_idkdpo();
  fail(cat("unknown method '", name, "'"), "use libu, ga, gd, kl, npo, simnpo, sugd, undial, rmu, idkdpo or sft");
}

}  // namespace libu::unlearn
