// The device the reference tests run on: LIBU_TEST_DEVICE (cpu, cuda, cuda:N; default cpu), so
// the same fixture comparisons run on a GPU (scripts/gpu-check.sh). Asking for cuda where this
// libtorch has none is the clear error of model::parse_device, not a skipped test.
#pragma once
#include <cstdlib>
#include <string>

#include "libu/model/runtime.h"

namespace libu::test {
inline std::string device_name() {
  const char* e = std::getenv("LIBU_TEST_DEVICE");
  return e && *e ? e : "cpu";
}
inline c10::Device device() { return model::parse_device(device_name()); }
// Moves every tensor of a fixture (read_tensors) to device().
template <class Map>
Map& to_device(Map& tensors) {
  const c10::Device d = device();
  for (auto& kv : tensors) kv.second = kv.second.to(d);
  return tensors;
}
}  // namespace libu::test
