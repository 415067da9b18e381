// safetensors (io/safetensors): the header of one file, and the shard index of a folder.
// The first byte picks the mode; every accepted tensor's bytes are read in full (ASan
// catches a view past the mapping).
#include <numeric>
#include <string>

#include "fuzz_target.h"
#include "libu/io/safetensors.h"

namespace {
using libu::fuzz::check;

uint64_t touch(const libu::io::TensorView& v) {
  check(v.nbytes == size_t(v.numel()) * libu::io::dtype_size(v.dtype), "nbytes != numel × itemsize");
  return std::accumulate(v.data, v.data + v.nbytes, uint64_t(0));
}

// A valid shard for the index mode: one F32 tensor "w" of shape [2].
std::string small_shard() {
  std::string header = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  while (header.size() % 8) header += ' ';
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = char((header.size() >> (8 * i)) & 0xff);
  return bytes + header + std::string(8, '\x01');
}
}  // namespace

LIBU_FUZZ_TARGET(safetensors) {
  if (size == 0) return;
  const uint8_t mode = data[0] & 1;
  if (mode == 0) {  // one .safetensors file
    auto f = libu::io::SafetensorsFile::open(libu::fuzz::scratch_file("x.safetensors", data + 1, size - 1));
    for (auto& v : f->tensors()) {
      touch(v);
      check(&f->get(v.name) == &v, "get() does not find a listed tensor");
    }
    return;
  }
  // A model folder: the input is model.safetensors.index.json next to two valid shards.
  const std::string& dir = libu::fuzz::scratch_dir();
  libu::fuzz::scratch_file("model-00001-of-00002.safetensors", small_shard());
  libu::fuzz::scratch_file("model-00002-of-00002.safetensors", small_shard());
  libu::fuzz::scratch_file("model.safetensors.index.json", data + 1, size - 1);
  auto store = libu::io::SafetensorsStore::open_dir(dir);
  for (auto& name : store.names()) touch(store.get(name));
}
