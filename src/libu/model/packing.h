// libu/model/packing.h — sequence packing (issue #12). The rows of a right-padded batch are
// laid back to back as one token stream per pack (at most `pack_length` tokens, whole rows
// only), with positions restarting at 0 for every row and block-diagonal causal attention
// (CausalLM::packed_hidden_states), so no row sees another and no FLOP goes to padding.
// Per-row results come back in the padded [B, T] layout, so callers (objectives, NLL passes,
// MIA) are unchanged: packed and padded runs agree up to float rounding (tests/model).
#pragma once
#include <optional>
#include <vector>

#include <torch/torch.h>

#include "libu/model/causal_lm.h"

namespace libu::model {

struct PackingOptions {
  bool enabled = true;         // --packing / --no-packing
  int64_t pack_length = 1024;  // --pack-length: tokens per pack; a longer row gets a pack of its own
};
// Process-wide setting (set from the CLI's common options).
const PackingOptions& packing_options();
void set_packing_options(const PackingOptions& o);

// Where the real tokens of a right-padded batch go.
struct PackPlan {
  std::vector<std::vector<int64_t>> lengths;  // per pack: its rows' token counts, in row order
  std::vector<torch::Tensor> src;             // per pack: [N_p] flat index b*T + t of each token
  torch::Tensor all_src;                      // [N] the packs' src concatenated (device of the batch)
  int64_t tokens = 0;                         // N: real tokens of the batch
};
// Packs of whole rows in row order (next fit). nullopt when the mask is not right padding
// (a 0 before a 1 in some row), e.g. generation's left-padded batches. mask: [B, T].
std::optional<PackPlan> plan_packs(const torch::Tensor& attention_mask, int64_t pack_length);

// plan_packs under the process-wide options: nullopt when packing is off, the mask is
// undefined or the batch is not right-padded (then callers run the padded forward).
std::optional<PackPlan> active_pack_plan(const torch::Tensor& attention_mask);

// Final-normed hidden states [N, D] of every real token, in the order of plan.all_src.
torch::Tensor packed_hidden(CausalLM& m, const torch::Tensor& input_ids, const PackPlan& plan);

// m.forward(ids, mask) for a right-padded batch: logits [B, T, V] fp32, computed on packed
// rows when packing is on (zeros at padded positions), else the padded forward itself.
torch::Tensor batch_logits(CausalLM& m, const torch::Tensor& input_ids, const torch::Tensor& attention_mask);

}  // namespace libu::model
