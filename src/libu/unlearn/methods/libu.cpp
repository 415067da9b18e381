// LIBU (Kudelya & Shirnin 2025; BRIEF §2.2–2.3). Phase 1: retain diagonal Fisher F and mean
// forget gradient g over the LoRA parameters, then θ ← θ ± η₁·g/(F+λ) (`+` for preset libu:
// ascent on the forget loss; `−` for libu-seed, the published code). Phase 2: the shared
// trainer with Sophia on the chosen objective (gd for libu, seed for libu-seed).
#include "libu/core/log.h"
#include "libu/unlearn/fisher.h"
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {

namespace {
class Libu : public Method {
 public:
  std::string name() const override { return "libu"; }
  Objective default_objective() const override { return Objective::GD; }

  nlohmann::json prepare(model::CausalLM& m, const UnlearnData& d, const UnlearnConfig& c) override {
    if (!c.phase1) return nullptr;
    int64_t eval_b = std::max<int64_t>(1, c.plan.batch_size);
    double f0 = mean_nll(m, d.forget, d.pad_id, eval_b, 16), r0 = mean_nll(m, d.retain, d.pad_id, eval_b, 16);
    auto stats = influence_stats(m, d, c.fisher_batch, eval_b);
    double norm = influence_step(m, stats, c.phase1_lr, c.damping, c.phase1_sign);
    double f1 = mean_nll(m, d.forget, d.pad_id, eval_b, 16), r1 = mean_nll(m, d.retain, d.pad_id, eval_b, 16);
    log_info("phase 1 (", c.phase1_sign > 0 ? "+" : "-", "): forget loss ", f0, " -> ", f1, ", retain loss ", r0,
             " -> ", r1, ", step norm ", norm);
    return {{"forget_loss_before", f0}, {"forget_loss_after", f1}, {"retain_loss_before", r0},
            {"retain_loss_after", r1}, {"step_norm", norm}, {"sign", c.phase1_sign},
            {"retain_batches", stats.retain_batches}, {"forget_batches", stats.forget_batches}};
  }
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
  fail(cat("unknown method '", name, "'"), "use libu, ga, gd, kl, npo, simnpo, sugd or sft");
}

}  // namespace libu::unlearn
