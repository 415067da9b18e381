// libu/model/runtime.h — process-wide torch settings: threads, device and dtype parsing.
#pragma once
#include <string>

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

namespace at {
class Tensor;
}

namespace libu::model {

// Sets torch's intra-op threads; n <= 0 means the number of cores (Debian's build
// defaults to 1, which wastes half this machine).
void set_threads(int n);
int threads();
// "cpu", "cuda", "cuda:1" -> Device; raises Error with a hint when CUDA is unavailable.
c10::Device parse_device(const std::string& s);
// "fp32"|"float32", "bf16"|"bfloat16", "fp16"|"float16" -> ScalarType.
c10::ScalarType parse_dtype(const std::string& s);
std::string dtype_str(c10::ScalarType t);

// A host tensor on `device` for the hot path: on CUDA it is copied from pinned (page-locked)
// memory without blocking the host (the caching host allocator keeps the pinned block until the
// copy is done), so the next batch is prepared while the GPU works; elsewhere a plain .to().
at::Tensor to_device(const at::Tensor& host, c10::Device device);

}  // namespace libu::model
