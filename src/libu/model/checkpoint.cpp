#include "libu/model/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>

namespace libu::model {

namespace {

struct FnHolder : torch::CustomClassHolder {
  std::function<torch::Tensor(const torch::Tensor&)> fn;
};

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct CheckpointFn : public torch::autograd::Function<CheckpointFn> {
  static variable_list forward(AutogradContext* ctx, torch::Tensor x, at::TensorList params,
                               c10::intrusive_ptr<FnHolder> holder) {
    // Save the CPU RNG so LoRA dropout draws the same masks on recomputation.
    auto gen = at::detail::getDefaultCPUGenerator();
    ctx->saved_data["rng"] = gen.get_state();
    ctx->saved_data["fn"] = c10::IValue::make_capsule(holder);
    ctx->saved_data["x_requires_grad"] = x.requires_grad();
    std::vector<torch::Tensor> saved = {x};
    saved.insert(saved.end(), params.begin(), params.end());
    ctx->save_for_backward(saved);
    return {holder->fn(x)};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_out) {
    auto saved = ctx->get_saved_variables();
    auto holder = c10::static_intrusive_pointer_cast<FnHolder>(ctx->saved_data["fn"].toCapsule());
    bool x_grad = ctx->saved_data["x_requires_grad"].toBool();
    auto gen = at::detail::getDefaultCPUGenerator();
    auto current = gen.get_state();
    gen.set_state(ctx->saved_data["rng"].toTensor());
    // A backward with create_graph (Sophia-H's Hutchinson estimate differentiates the gradient
    // again) runs with grad mode on: then the recompute stays attached to x and builds a graph,
    // so the returned gradients can be differentiated once more, also through earlier layers.
    const bool higher = torch::GradMode::is_enabled();
    torch::Tensor xd = higher ? saved[0] : saved[0].detach().requires_grad_(x_grad);
    torch::Tensor y;
    {
      torch::AutoGradMode on(true);
      y = holder->fn(xd);
    }
    gen.set_state(current);
    std::vector<torch::Tensor> inputs;
    if (x_grad) inputs.push_back(xd);
    inputs.insert(inputs.end(), saved.begin() + 1, saved.end());
    auto grads = torch::autograd::grad({y}, inputs, {grad_out[0]}, /*retain_graph=*/higher,
                                       /*create_graph=*/higher, /*allow_unused=*/true);
    variable_list out;
    out.push_back(x_grad ? grads[0] : torch::Tensor());
    for (size_t i = x_grad ? 1 : 0; i < grads.size(); ++i) out.push_back(grads[i]);
    out.push_back(torch::Tensor());  // the holder argument
    return out;
  }
};

}  // namespace

torch::Tensor checkpointed(const std::function<torch::Tensor(const torch::Tensor&)>& fn,
                           const torch::Tensor& x, const std::vector<torch::Tensor>& params) {
  if (!torch::GradMode::is_enabled()) return fn(x);
  auto holder = c10::make_intrusive<FnHolder>();
  holder->fn = fn;
  return CheckpointFn::apply(x, at::TensorList(params), holder)[0];
}

}  // namespace libu::model
