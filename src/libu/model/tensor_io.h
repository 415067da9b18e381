// libu/model/tensor_io.h — bridges io::safetensors views and torch tensors.
#pragma once
#include <map>
#include <string>

#include <torch/torch.h>

#include "libu/io/safetensors.h"

namespace libu::model {

c10::ScalarType to_torch(io::DType d);
io::DType to_io(c10::ScalarType t);
// Zero-copy CPU tensor over the mapped bytes (read-only: never modify it in place).
torch::Tensor view_tensor(const io::TensorView& v);
// Reads every tensor of a file into owned CPU tensors.
std::map<std::string, torch::Tensor> read_tensors(const std::string& path);
// Writes named tensors (moved to CPU, made contiguous) atomically.
void write_tensors(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                   const std::map<std::string, std::string>& metadata = {{"format", "pt"}});
// Same, keeping the given order.
void write_tensors_ordered(const std::string& path,
                           const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                           const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

// A tensor written lazily: its name, shape and dtype up front; `make` is called once, while
// the file is written, and its result is freed right after (one tensor alive at a time).
struct LazyTensor {
  std::string name;
  std::vector<int64_t> shape;
  c10::ScalarType dtype;
  std::function<torch::Tensor()> make;
};
void write_tensors_lazy(const std::string& path, const std::vector<LazyTensor>& tensors,
                        const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

}  // namespace libu::model
