#include "libu/optim/optimizer.h"

#include <torch/torch.h>

#include <cmath>
#include <set>
#include <sstream>
#include <type_traits>

#include "libu/core/error.h"
#include "libu/optim/factory.h"

namespace libu::optim {

namespace {

std::string shape_str(at::IntArrayRef s) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << "]";
  return os.str();
}

std::string join(const std::vector<std::string>& v, size_t max_items = 8) {
  std::string out;
  for (size_t i = 0; i < v.size() && i < max_items; ++i) out += (i ? ", " : "") + v[i];
  if (v.size() > max_items) out += cat(", ... (", v.size(), " in all)");
  return out;
}

}  // namespace

Optimizer::Optimizer(std::vector<torch::Tensor> params, std::vector<std::string> names)
    : params_(std::move(params)), names_(std::move(names)) {
  if (params_.empty()) fail("optimizer: no parameters to optimize", "check the LoRA targets");
  if (names_.empty()) {
    for (size_t i = 0; i < params_.size(); ++i) names_.push_back(cat("p", i));
  }
  if (names_.size() != params_.size())
    fail(cat("optimizer: ", names_.size(), " names for ", params_.size(), " parameters"));
  std::set<std::string> seen_names;
  std::set<const void*> seen_impls;
  for (size_t i = 0; i < params_.size(); ++i) {
    const auto& p = params_[i];
    if (!p.defined()) fail(cat("optimizer: parameter '", names_[i], "' is undefined"));
    if (!p.is_floating_point())
      fail(cat("optimizer: parameter '", names_[i], "' is not floating point (", p.dtype(), ")"));
    if (!seen_names.insert(names_[i]).second)
      fail(cat("optimizer: parameter name '", names_[i], "' is used twice"));
    if (!seen_impls.insert(p.unsafeGetTensorImpl()).second)
      fail(cat("optimizer: parameter '", names_[i], "' is the same tensor as an earlier one"));
  }
}

void Optimizer::step(double lr, int64_t tokens_per_step) {
  std::vector<torch::Tensor> grads;
  grads.reserve(params_.size());
  for (const auto& p : params_) grads.push_back(p.grad());
  step(grads, lr, tokens_per_step);
}

void Optimizer::step(const std::vector<torch::Tensor>& grads, double lr, int64_t tokens_per_step) {
  if (grads.size() != params_.size())
    fail(cat(name(), ": step got ", grads.size(), " gradients for ", params_.size(), " parameters"));
  if (!std::isfinite(lr) || lr < 0) fail(cat(name(), ": learning rate ", lr, " is not a finite value ≥ 0"));
  for (size_t i = 0; i < grads.size(); ++i) {
    if (grads[i].defined() && !grads[i].sizes().equals(params_[i].sizes()))
      fail(cat(name(), ": gradient of '", names_[i], "' has shape ", shape_str(grads[i].sizes()),
               ", the parameter ", shape_str(params_[i].sizes())));
  }
  do_step(grads, lr, tokens_per_step);
  ++steps_;
}

void Optimizer::zero_grad() {
  for (auto& p : params_) {
    if (p.grad().defined()) p.mutable_grad() = torch::Tensor();
  }
}

void Optimizer::update_hessian(const std::vector<torch::Tensor>&) {
  fail(cat(name(), ": this optimizer takes no Hessian estimate"),
       "call update_hessian only when hessian_source() is not None");
}

void Optimizer::check_state_keys(const std::map<std::string, torch::Tensor>& tensors,
                                 const std::map<std::string, std::vector<int64_t>>& expected,
                                 const std::string& context) const {
  std::vector<std::string> missing, unexpected, misshaped;
  for (const auto& [k, shape] : expected) {
    auto it = tensors.find(k);
    if (it == tensors.end()) {
      missing.push_back(k);
    } else if (!it->second.defined() || !it->second.sizes().equals(shape)) {
      misshaped.push_back(cat(k, " ", it->second.defined() ? shape_str(it->second.sizes()) : "undefined",
                              " (expected ", shape_str(shape), ")"));
    }
  }
  for (const auto& kv : tensors)
    if (!expected.count(kv.first)) unexpected.push_back(kv.first);
  if (missing.empty() && unexpected.empty() && misshaped.empty()) return;
  std::string msg = cat(context, ": optimizer state does not match the parameters:");
  if (!missing.empty()) msg += cat(" missing ", join(missing), ";");
  if (!unexpected.empty()) msg += cat(" unexpected ", join(unexpected), ";");
  if (!misshaped.empty()) msg += cat(" mis-shaped ", join(misshaped), ";");
  fail(msg, "resume with the same method, optimizer and LoRA settings as the checkpointed run");
}

// ---------------------------------------------------------------------------------------------
// AdamW adapter

void AdamWConfig::validate() const {
  if (!(beta1 >= 0 && beta1 < 1)) fail(cat("adamw: beta1 ", beta1, " is outside [0, 1)"));
  if (!(beta2 >= 0 && beta2 < 1)) fail(cat("adamw: beta2 ", beta2, " is outside [0, 1)"));
  if (!(eps > 0)) fail(cat("adamw: eps ", eps, " must be > 0"));
  if (!(weight_decay >= 0)) fail(cat("adamw: weight decay ", weight_decay, " must be ≥ 0"));
}

nlohmann::json AdamWConfig::to_json() const {
  return {{"beta1", beta1}, {"beta2", beta2}, {"eps", eps}, {"weight_decay", weight_decay},
          {"amsgrad", amsgrad}};
}

namespace {

// torch::optim keeps per-param state in a map keyed by the param's TensorImpl: the pointer
// printed to a string in libtorch 1.x, the pointer itself in 2.x. Build whichever key this
// libtorch uses.
using AdamStateMap = std::decay_t<decltype(std::declval<torch::optim::AdamW&>().state())>;
using AdamStateKey = typename AdamStateMap::key_type;

template <typename Key>
Key state_key_of(const torch::Tensor& p) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream os;  // what c10::guts::to_string does for a pointer
    os << static_cast<const void*>(p.unsafeGetTensorImpl());
    return os.str();
  } else {
    return static_cast<Key>(p.unsafeGetTensorImpl());
  }
}

torch::optim::AdamWOptions adamw_options(const AdamWConfig& c) {
  c.validate();
  torch::optim::AdamWOptions o(/*lr=*/1e-3);
  o.betas(std::make_tuple(c.beta1, c.beta2)).eps(c.eps).weight_decay(c.weight_decay).amsgrad(c.amsgrad);
  return o;
}

}  // namespace

AdamWOptimizer::AdamWOptimizer(std::vector<torch::Tensor> params, const AdamWConfig& config,
                               std::vector<std::string> names)
    : Optimizer(std::move(params), std::move(names)), config_(config),
      adam_(params_, adamw_options(config)) {}

void AdamWOptimizer::do_step(const std::vector<torch::Tensor>& grads, double lr, int64_t) {
  // torch's AdamW reads param.grad(): point it at the given gradients (undefined → skipped).
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!grads[i].defined()) {
      if (params_[i].grad().defined()) params_[i].mutable_grad() = torch::Tensor();
    } else if (!params_[i].grad().defined() ||
               params_[i].grad().unsafeGetTensorImpl() != grads[i].unsafeGetTensorImpl()) {
      params_[i].mutable_grad() = grads[i];
    }
  }
  for (auto& group : adam_.param_groups())
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  adam_.step();
}

std::map<std::string, torch::Tensor> AdamWOptimizer::state_tensors() const {
  std::map<std::string, torch::Tensor> out;
  const auto& st = const_cast<torch::optim::AdamW&>(adam_).state();
  for (size_t i = 0; i < params_.size(); ++i) {
    auto it = st.find(state_key_of<AdamStateKey>(params_[i]));
    if (it == st.end()) continue;  // no step touched this param yet
    const auto& s = static_cast<const torch::optim::AdamWParamState&>(*it->second);
    out[names_[i] + ".exp_avg"] = s.exp_avg().detach().clone();
    out[names_[i] + ".exp_avg_sq"] = s.exp_avg_sq().detach().clone();
    if (s.max_exp_avg_sq().defined())
      out[names_[i] + ".max_exp_avg_sq"] = s.max_exp_avg_sq().detach().clone();
  }
  return out;
}

nlohmann::json AdamWOptimizer::state_json() const {
  // "param_steps": name → torch's per-param step count (absent = no state yet).
  nlohmann::json steps = nlohmann::json::object();
  const auto& st = const_cast<torch::optim::AdamW&>(adam_).state();
  for (size_t i = 0; i < params_.size(); ++i) {
    auto it = st.find(state_key_of<AdamStateKey>(params_[i]));
    if (it == st.end()) continue;
    steps[names_[i]] = static_cast<const torch::optim::AdamWParamState&>(*it->second).step();
  }
  return {{"optimizer", "adamw"}, {"steps", steps_}, {"param_steps", steps},
          {"options", config_.to_json()}};
}

void AdamWOptimizer::load_state(const std::map<std::string, torch::Tensor>& tensors,
                                const nlohmann::json& json) {
  const std::string ctx = "adamw state";
  if (!json.is_object() || json.value("optimizer", std::string()) != "adamw")
    fail(cat(ctx, ": the checkpoint's optimizer state is not AdamW's (\"optimizer\": ",
             json.is_object() && json.contains("optimizer") ? json["optimizer"].dump() : "missing", ")"),
         "resume with the optimizer the run was started with");
  if (!json.contains("steps") || !json.contains("param_steps") || !json["param_steps"].is_object())
    fail(cat(ctx, ": JSON lacks \"steps\" or \"param_steps\""));
  const auto& psteps = json["param_steps"];
  std::set<std::string> known(names_.begin(), names_.end());
  for (auto it = psteps.begin(); it != psteps.end(); ++it)
    if (!known.count(it.key())) fail(cat(ctx, ": JSON names unknown parameter '", it.key(), "'"));

  std::map<std::string, std::vector<int64_t>> expected;
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!psteps.contains(names_[i])) continue;
    auto shape = params_[i].sizes().vec();
    expected[names_[i] + ".exp_avg"] = shape;
    expected[names_[i] + ".exp_avg_sq"] = shape;
    if (tensors.count(names_[i] + ".max_exp_avg_sq") || config_.amsgrad)
      expected[names_[i] + ".max_exp_avg_sq"] = shape;
  }
  check_state_keys(tensors, expected, ctx);

  auto& st = adam_.state();
  st.clear();
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!psteps.contains(names_[i])) continue;
    const auto opts = params_[i].options();
    auto s = std::make_unique<torch::optim::AdamWParamState>();
    s->step(psteps[names_[i]].get<int64_t>());
    // clone: the optimizer owns its buffers; .to() keeps the bits (same dtype in normal use).
    s->exp_avg(tensors.at(names_[i] + ".exp_avg").detach().to(opts).clone());
    s->exp_avg_sq(tensors.at(names_[i] + ".exp_avg_sq").detach().to(opts).clone());
    auto mit = tensors.find(names_[i] + ".max_exp_avg_sq");
    if (mit != tensors.end()) s->max_exp_avg_sq(mit->second.detach().to(opts).clone());
    st[state_key_of<AdamStateKey>(params_[i])] = std::move(s);
  }
  steps_ = json["steps"].get<int64_t>();
}

// ---------------------------------------------------------------------------------------------

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<torch::Tensor> params,
                                          const OptimizerOptions& options,
                                          std::vector<std::string> names) {
  if (name == "sophia")
    return std::make_unique<Sophia>(std::move(params), options.sophia, std::move(names));
  if (name == "adamw")
    return std::make_unique<AdamWOptimizer>(std::move(params), options.adamw, std::move(names));
  fail(cat("unknown optimizer '", name, "'"), "choose one of: sophia, adamw");
}

}  // namespace libu::optim
