// libu/model/generate.h — batched greedy decoding with left padding and a KV cache.
#pragma once
#include <functional>
#include <vector>

#include "libu/model/causal_lm.h"

namespace libu::model {

struct GenerateOptions {
  int64_t max_new_tokens = 256;
  int64_t batch_size = 8;
  std::vector<int64_t> eos_ids;  // stop a row at any of these (not returned)
  int64_t pad_id = 0;            // left-padding id (masked out, never attended)
};

// Greedy continuation of each prompt; returns only the new tokens, in prompt order.
// Batches are formed from prompts sorted by length (less padding); results are equal to
// unbatched decoding. `on_batch(done, total)` reports progress.
std::vector<std::vector<int64_t>> generate_greedy(CausalLM& model, const std::vector<std::vector<int64_t>>& prompts,
                                                  const GenerateOptions& opt,
                                                  const std::function<void(int64_t, int64_t)>& on_batch = {});

// Left-pads rows into ids/mask [B, L] (int64) with `pad_id`.
std::pair<torch::Tensor, torch::Tensor> left_pad(const std::vector<std::vector<int64_t>>& rows, int64_t pad_id);

}  // namespace libu::model
