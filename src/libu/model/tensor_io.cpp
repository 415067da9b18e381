#include "libu/model/tensor_io.h"

#include "libu/core/error.h"

namespace libu::model {

c10::ScalarType to_torch(io::DType d) {
  switch (d) {
    case io::DType::F64: return torch::kFloat64;
    case io::DType::F32: return torch::kFloat32;
    case io::DType::F16: return torch::kFloat16;
    case io::DType::BF16: return torch::kBFloat16;
    case io::DType::I64: return torch::kInt64;
    case io::DType::I32: return torch::kInt32;
    case io::DType::I16: return torch::kInt16;
    case io::DType::I8: return torch::kInt8;
    case io::DType::U8: return torch::kUInt8;
    case io::DType::BOOL: return torch::kBool;
  }
  fail_internal("unhandled dtype");
}

io::DType to_io(c10::ScalarType t) {
  switch (t) {
    case torch::kFloat64: return io::DType::F64;
    case torch::kFloat32: return io::DType::F32;
    case torch::kFloat16: return io::DType::F16;
    case torch::kBFloat16: return io::DType::BF16;
    case torch::kInt64: return io::DType::I64;
    case torch::kInt32: return io::DType::I32;
    case torch::kInt16: return io::DType::I16;
    case torch::kInt8: return io::DType::I8;
    case torch::kUInt8: return io::DType::U8;
    case torch::kBool: return io::DType::BOOL;
    default: fail(cat("dtype ", c10::toString(t), " cannot be stored in safetensors"));
  }
}

torch::Tensor view_tensor(const io::TensorView& v) {
  auto opts = torch::TensorOptions().dtype(to_torch(v.dtype));
  if (v.numel() == 0) return torch::empty(v.shape, opts);
  return torch::from_blob(const_cast<uint8_t*>(v.data), v.shape, opts);
}

std::map<std::string, torch::Tensor> read_tensors(const std::string& path) {
  auto f = io::SafetensorsFile::open(path);
  std::map<std::string, torch::Tensor> out;
  for (auto& v : f->tensors()) out[v.name] = view_tensor(v).clone();
  return out;
}

void write_tensors_ordered(const std::string& path,
                           const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                           const std::map<std::string, std::string>& metadata) {
  std::vector<torch::Tensor> keep;
  std::vector<io::TensorToWrite> items;
  keep.reserve(tensors.size());
  for (auto& [name, t0] : tensors) {
    keep.push_back(t0.detach().to(torch::kCPU).contiguous());
    auto& t = keep.back();
    items.push_back({name, to_io(t.scalar_type()), t.sizes().vec(), t.data_ptr(), size_t(t.nbytes())});
  }
  io::write_safetensors(path, items, metadata);
}

void write_tensors_lazy(const std::string& path, const std::vector<LazyTensor>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  std::vector<io::TensorToWrite> items;
  for (const auto& lt : tensors) {
    int64_t numel = 1;
    for (int64_t d : lt.shape) numel *= d;
    io::TensorToWrite w{lt.name, to_io(lt.dtype), lt.shape, nullptr, size_t(numel) * c10::elementSize(lt.dtype)};
    w.produce = [&lt, &path](const io::ByteSink& sink) {
      auto t = lt.make().detach().to(torch::kCPU).to(lt.dtype).contiguous();
      if (t.sizes().vec() != lt.shape)
        fail_internal(cat(path, ": lazy tensor \"", lt.name, "\" has the wrong shape"));
      sink(t.data_ptr(), size_t(t.nbytes()));
    };
    items.push_back(std::move(w));
  }
  io::write_safetensors(path, items, metadata);
}

void write_tensors(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                   const std::map<std::string, std::string>& metadata) {
  write_tensors_ordered(path, {tensors.begin(), tensors.end()}, metadata);
}

}  // namespace libu::model
