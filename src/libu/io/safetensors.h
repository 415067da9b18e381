// libu/io/safetensors.h — the safetensors format (no torch: raw views only).
// Format: u64 little-endian header length N, N bytes of JSON header
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
// then the byte buffer. Offsets are relative to the buffer start.
#pragma once
#include <functional>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace libu::io {

// U16/U32/U64 come after the original ten (appended, so existing values are unchanged);
// they occur in upstream safetensors files such as the reference samples.
enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, U16, U32, U64 };

size_t dtype_size(DType d);
const char* dtype_name(DType d);  // "F32", "BF16", ...
// Parses a safetensors dtype string; raises Error naming `context` when unknown.
DType parse_dtype(const std::string& s, const std::string& context);

// A read-only view of one tensor inside a mapped file. `data` stays valid while the
// owning SafetensorsFile lives.
struct TensorView {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;
  size_t nbytes = 0;
  int64_t numel() const;
};

// One mmap'ed .safetensors file, validated on open (header length within the file,
// valid JSON, known dtypes, contiguous non-overlapping in-bounds offsets, shape × itemsize
// == byte length). Every error names the file, the tensor and the problem.
class SafetensorsFile {
 public:
  static std::shared_ptr<SafetensorsFile> open(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::vector<TensorView>& tensors() const { return tensors_; }  // file order
  bool contains(const std::string& name) const;
  const TensorView& get(const std::string& name) const;  // raises Error naming file+tensor

 private:
  SafetensorsFile() = default;
  std::string path_;
  void* map_ = nullptr;
  size_t map_size_ = 0;
  std::map<std::string, std::string> metadata_;
  std::vector<TensorView> tensors_;
  std::map<std::string, size_t> index_;
};

// All tensors of an HF model folder: `model.safetensors`, or the shards listed by
// `model.safetensors.index.json` (weight_map; shard names must stay inside the folder).
// Refuses pickle checkpoints (pytorch_model.bin, *.pt, *.pth, *.ckpt) with a hint to convert.
class SafetensorsStore {
 public:
  static SafetensorsStore open_dir(const std::string& dir);
  static SafetensorsStore open_file(const std::string& path);
  std::vector<std::string> names() const;  // sorted
  bool contains(const std::string& name) const;
  const TensorView& get(const std::string& name) const;
  // The file that holds `name` (for error messages).
  const std::string& file_of(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  std::vector<std::shared_ptr<SafetensorsFile>> files_;
  std::map<std::string, std::pair<size_t, const TensorView*>> where_;
  std::map<std::string, std::string> metadata_;  // of the first file
};

// Receives a tensor's bytes (possibly in several calls) while the file is written.
using ByteSink = std::function<void(const void* data, size_t nbytes)>;

struct TensorToWrite {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  const void* data;
  size_t nbytes;
  // Optional: produces the bytes at write time instead of `data` (e.g. a merged weight made
  // one tensor at a time, so a whole second copy of a model never exists). Must deliver
  // exactly nbytes.
  std::function<void(const ByteSink&)> produce = nullptr;
};

// Writes a safetensors file atomically (temporary file, then rename). The header is
// space-padded so the buffer starts on an 8-byte boundary. Tensors are written in the
// given order; names must be unique; nbytes must equal numel × itemsize.
void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace libu::io
