// libu/optim/optimizer.h — the one optimizer interface the trainer drives (issue 5; docs/unlearning.md).
//
// Implemented by Sophia (sophia.h, variants g / seed / h) and by AdamWOptimizer (an adapter
// over torch::optim::AdamW, used by the baselines, docs/unlearning.md "Definitions").
//
// Driving protocol (one optimizer step):
//   opt.zero_grad();
//   ... accumulate gradients into param.grad() (micro-batches), clip (schedule.h) ...
//   opt.step(lr, tokens_per_step);           // or opt.step(grads, lr, tokens_per_step)
//   if (opt.hessian_due()) {                 // Sophia g / h only (every k steps)
//     ... compute the estimate on the current batch (see hessian_source()) ...
//     opt.update_hessian(estimate);
//   }
//   metrics << opt.step_stats();             // e.g. {"win_rate": 0.31}
//   ... checkpoint here, after the Hessian refresh, so a resumed run does not redo or miss it.
//
// Checkpoints: state_tensors() (name → tensor, for a safetensors file) plus state_json()
// (scalars: step counts, RNG state, options); load_state(tensors, json) restores both, so that
// stepping after a reload equals stepping without the interruption, bit for bit.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace libu::optim {

// What curvature estimate the trainer must supply through update_hessian() when
// hessian_due() is true.
enum class HessianSource {
  None,                 // nothing to supply (AdamW; Sophia `seed`, whose h is internal)
  GaussNewtonBartlett,  // Sophia `g`: ĝ⊙ĝ, ĝ = ∇ CE(logits, ŷ), ŷ ~ softmax(logits)
  Hutchinson,           // Sophia `h`: u⊙(∇²L·u), u Rademacher (hutchinson_diag in sophia.h)
};

class Optimizer {
 public:
  // params: the trainable leaf tensors (fp32 LoRA master weights), in a fixed order.
  // names: one unique name per param, used as checkpoint keys; empty = "p0", "p1", ...
  Optimizer(std::vector<torch::Tensor> params, std::vector<std::string> names);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // "adamw", "sophia-g", "sophia-seed", "sophia-h".
  virtual std::string name() const = 0;

  // One update from each param's .grad(); a param whose grad is undefined is skipped.
  // tokens_per_step: the loss tokens of this optimizer step (Sophia g's `bs`); others ignore it.
  void step(double lr, int64_t tokens_per_step = 0);
  // One update from explicit gradients, one per param in params() order (same shapes);
  // an undefined entry skips that param.
  void step(const std::vector<torch::Tensor>& grads, double lr, int64_t tokens_per_step = 0);

  // Sets every param's grad to undefined (set_to_none semantics), so accumulation restarts.
  virtual void zero_grad();

  // Optimizer steps taken so far (restored by load_state).
  int64_t steps_taken() const { return steps_; }

  // Curvature protocol (Sophia g / h). Defaults: none needed.
  virtual HessianSource hessian_source() const { return HessianSource::None; }
  // True right after a step() whose count is a multiple of k (see Sophia::hessian_due).
  virtual bool hessian_due() const { return false; }
  // One estimate per param (params() order, same shapes; undefined = leave that param's h).
  virtual void update_hessian(const std::vector<torch::Tensor>& estimate);

  // Per-step statistics for metrics.jsonl (e.g. {"win_rate": x}); {} when none.
  virtual nlohmann::json step_stats() const { return nlohmann::json::object(); }

  // Checkpoint state. Tensors are clones (later steps do not change them), on the params'
  // device; keys are "<param name>.<slot>".
  virtual std::map<std::string, torch::Tensor> state_tensors() const = 0;
  virtual nlohmann::json state_json() const = 0;
  // Restores what state_tensors()/state_json() produced. A missing, unexpected or mis-shaped
  // tensor, or a JSON for another optimizer, raises Error listing the names.
  virtual void load_state(const std::map<std::string, torch::Tensor>& tensors,
                          const nlohmann::json& json) = 0;

  const std::vector<torch::Tensor>& params() const { return params_; }
  const std::vector<std::string>& param_names() const { return names_; }

 protected:
  // grads: one per param (undefined = skip), already validated against the params' shapes.
  virtual void do_step(const std::vector<torch::Tensor>& grads, double lr,
                       int64_t tokens_per_step) = 0;
  // Raises Error unless `tensors` has exactly the keys `expected` (name → shape of params[i]),
  // listing missing, unexpected and mis-shaped names.
  void check_state_keys(const std::map<std::string, torch::Tensor>& tensors,
                        const std::map<std::string, std::vector<int64_t>>& expected,
                        const std::string& context) const;

  std::vector<torch::Tensor> params_;
  std::vector<std::string> names_;
  int64_t steps_ = 0;
};

// torch::optim::AdamW with libu's interface. Defaults are torch's AdamWOptions defaults
// (β = (0.9, 0.999), eps = 1e-8, weight decay 0.01); the baselines' lr (1e-5, docs/unlearning.md) is
// passed to step(). AdamW state dtype follows the params (fp32 LoRA masters).
struct AdamWConfig {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.01;
  bool amsgrad = false;
  void validate() const;
  nlohmann::json to_json() const;
};

// step(grads, ...) points each param's .grad() at the given gradient (torch's AdamW reads
// .grad()); an undefined entry clears that grad, so torch skips the param.
class AdamWOptimizer final : public Optimizer {
 public:
  AdamWOptimizer(std::vector<torch::Tensor> params, const AdamWConfig& config,
                 std::vector<std::string> names = {});
  std::string name() const override { return "adamw"; }
  // state keys per param with state: "<name>.exp_avg", "<name>.exp_avg_sq"
  // (+ "<name>.max_exp_avg_sq" with amsgrad); the per-param step counts go to the JSON.
  std::map<std::string, torch::Tensor> state_tensors() const override;
  nlohmann::json state_json() const override;
  void load_state(const std::map<std::string, torch::Tensor>& tensors,
                  const nlohmann::json& json) override;
  torch::optim::AdamW& torch_optimizer() { return adam_; }

 protected:
  void do_step(const std::vector<torch::Tensor>& grads, double lr, int64_t tokens_per_step) override;

 private:
  AdamWConfig config_;
  torch::optim::AdamW adam_;
};

}  // namespace libu::optim
