// libu/unlearn/methods/method.h — a method = an objective, a data plan and an optional
// preparation phase; all methods share the one Trainer (no method owns a loop).
#pragma once
#include <memory>
#include <string>

#include "libu/unlearn/run.h"

namespace libu::unlearn {

class Method {
 public:
  virtual ~Method() = default;
  virtual std::string name() const = 0;
  virtual Objective default_objective() const = 0;
  // Runs before the trainer (LIBU phase 1). Not called when resuming.
  virtual nlohmann::json prepare(model::CausalLM&, const UnlearnData&, const UnlearnConfig&) { return nullptr; }
  // Per-tensor update factors for phase 2 (TrainerOptions::step_scale), known after prepare().
  virtual std::vector<torch::Tensor> step_scale(const UnlearnConfig&) const { return {}; }
  virtual std::vector<MicroBatch> plan(const UnlearnData& d, const UnlearnConfig& c) const {
    PlanOptions o = c.plan;
    o.use_retain = uses_retain(parse_objective(c.objective.empty() ? objective_name(default_objective()) : c.objective));
    return interleaved_plan(d, o);
  }
};

std::unique_ptr<Method> make_libu();
std::unique_ptr<Method> make_ga();
std::unique_ptr<Method> make_gd();
std::unique_ptr<Method> make_kl();
std::unique_ptr<Method> make_npo();
std::unique_ptr<Method> make_simnpo();
std::unique_ptr<Method> make_sugd();
std::unique_ptr<Method> make_sft();
std::unique_ptr<Method> make_undial();
std::unique_ptr<Method> make_rmu();
std::unique_ptr<Method> make_idkdpo();
std::unique_ptr<Method> make_method(const std::string& name);

// A single-phase method that only picks an objective (the baselines).
class ObjectiveMethod : public Method {
 public:
  ObjectiveMethod(std::string n, Objective o) : name_(std::move(n)), obj_(o) {}
  std::string name() const override { return name_; }
  Objective default_objective() const override { return obj_; }

 private:
  std::string name_;
  Objective obj_;
};

}  // namespace libu::unlearn
