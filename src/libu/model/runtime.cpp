#include "libu/model/runtime.h"

#include <thread>

#include <torch/torch.h>

#include "libu/core/error.h"

namespace libu::model {

void set_threads(int n) {
  if (n <= 0) n = int(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(n);
}

int threads() { return torch::get_num_threads(); }

c10::Device parse_device(const std::string& s) {
  c10::Device d(c10::kCPU);
  try {
    d = c10::Device(s);
  } catch (const std::exception&) {
    fail(cat("--device: '", s, "' is not a device"), "use cpu or cuda[:N]");
  }
  if (d.is_cuda() && !torch::cuda::is_available())
    fail("--device cuda: this libtorch build has no CUDA device",
         "build against a CUDA libtorch (-DTorch_DIR=...) or use --device cpu");
  return d;
}

c10::ScalarType parse_dtype(const std::string& s) {
  if (s == "fp32" || s == "float32" || s == "F32") return torch::kFloat32;
  if (s == "bf16" || s == "bfloat16" || s == "BF16") return torch::kBFloat16;
  if (s == "fp16" || s == "float16" || s == "F16") return torch::kFloat16;
  fail(cat("unknown dtype '", s, "'"), "use fp32, bf16 or fp16");
}

std::string dtype_str(c10::ScalarType t) {
  switch (t) {
    case torch::kFloat32: return "float32";
    case torch::kBFloat16: return "bfloat16";
    case torch::kFloat16: return "float16";
    default: return c10::toString(t);
  }
}

at::Tensor to_device(const at::Tensor& host, c10::Device device) {
  if (!device.is_cuda() || !host.device().is_cpu()) return host.to(device);
  return host.pin_memory().to(device, /*non_blocking=*/true);
}

}  // namespace libu::model
