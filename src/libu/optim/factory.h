// libu/optim/factory.h — make_optimizer("sophia" | "adamw", params, options).
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "libu/optim/optimizer.h"
#include "libu/optim/sophia.h"

namespace libu::optim {

struct OptimizerOptions {
  SophiaOptions sophia;  // used by "sophia" (its `variant` picks g / seed / h)
  AdamWConfig adamw;     // used by "adamw"
};

// name: "sophia" or "adamw"; anything else raises Error listing the choices.
// names: checkpoint names of the params (empty = "p0", "p1", ...).
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<torch::Tensor> params,
                                          const OptimizerOptions& options,
                                          std::vector<std::string> names = {});

}  // namespace libu::optim
