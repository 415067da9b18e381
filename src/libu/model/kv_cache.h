// libu/model/kv_cache.h — per-layer key/value cache for incremental decoding.
#pragma once
#include <vector>

#include <torch/torch.h>

namespace libu::model {

struct KVSlot {
  torch::Tensor k;  // [B, KV, T_past, d] (undefined when empty)
  torch::Tensor v;  // [B, KV, T_past, d]
};

struct KVCache {
  std::vector<KVSlot> layers;
  torch::Tensor key_mask;  // [B, T_past] padding mask of the cached positions
  int64_t length() const { return layers.empty() || !layers[0].k.defined() ? 0 : layers[0].k.size(2); }
  // Keeps only the rows in `index` (e.g. to drop finished sequences). index: [B'] int64
  void select_rows(const torch::Tensor& index);
};

}  // namespace libu::model
