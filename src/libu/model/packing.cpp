// libu/model/packing.cpp — see packing.h.
#include "libu/model/packing.h"

#include "libu/core/error.h"

namespace libu::model {

namespace {
PackingOptions g_packing;
}

const PackingOptions& packing_options() { return g_packing; }

void set_packing_options(const PackingOptions& o) {
  if (o.pack_length < 1) fail(cat("--pack-length must be at least 1, got ", o.pack_length), "pass e.g. --pack-length 1024");
  g_packing = o;
}

// Each row's token count, or nullopt when some row is not a run of 1s followed by 0s.
static std::optional<std::vector<int64_t>> right_padded_lengths(const torch::Tensor& attention_mask) {
  auto m = attention_mask.to(torch::kCPU, torch::kLong).contiguous();  // [B, T]
  const int64_t B = m.size(0), T = m.size(1);
  const int64_t* p = m.data_ptr<int64_t>();
  std::vector<int64_t> len(size_t(B), 0);
  for (int64_t b = 0; b < B; ++b) {
    int64_t t = 0;
    while (t < T && p[b * T + t] != 0) ++t;
    len[size_t(b)] = t;
    for (int64_t u = t; u < T; ++u)
      if (p[b * T + u] != 0) return std::nullopt;
  }
  return len;
}

std::optional<PackPlan> plan_packs(const torch::Tensor& attention_mask, int64_t pack_length) {
  auto len = right_padded_lengths(attention_mask);
  if (!len) return std::nullopt;
  const int64_t T = attention_mask.size(1);
  PackPlan plan;
  std::vector<std::vector<int64_t>> src;
  int64_t fill = pack_length;  // forces a new pack for the first row
  for (size_t b = 0; b < len->size(); ++b) {
    const int64_t l = (*len)[b];
    if (l == 0) continue;  // a row without tokens has nothing to pack
    if (fill + l > pack_length && fill > 0) {
      plan.lengths.emplace_back();
      src.emplace_back();
      fill = 0;
    }
    plan.lengths.back().push_back(l);
    for (int64_t t = 0; t < l; ++t) src.back().push_back(int64_t(b) * T + t);
    fill += l;
    plan.tokens += l;
  }
  auto dev = attention_mask.device();
  std::vector<torch::Tensor> parts;
  for (auto& s : src) {
    plan.src.push_back(torch::tensor(s, torch::kLong).to(dev));  // [N_p]
    parts.push_back(plan.src.back());
  }
  plan.all_src = parts.empty() ? torch::empty({0}, torch::TensorOptions().dtype(torch::kLong).device(dev))
                               : torch::cat(parts);  // [N]
  return plan;
}

std::optional<PackPlan> active_pack_plan(const torch::Tensor& attention_mask) {
  if (!g_packing.enabled || !attention_mask.defined()) return std::nullopt;
  return plan_packs(attention_mask, g_packing.pack_length);
}

torch::Tensor packed_hidden(CausalLM& m, const torch::Tensor& input_ids, const PackPlan& plan) {
  auto flat = input_ids.reshape({-1}).to(m.device());  // [B*T]
  std::vector<torch::Tensor> hs;
  for (size_t p = 0; p < plan.lengths.size(); ++p) {
    std::vector<int64_t> pos;  // 0..len-1 per row
    for (int64_t l : plan.lengths[p])
      for (int64_t t = 0; t < l; ++t) pos.push_back(t);
    auto ids = flat.index_select(0, plan.src[p].to(m.device())).unsqueeze(0);         // [1, N_p]
    auto positions = torch::tensor(pos, torch::kLong).to(m.device()).unsqueeze(0);  // [1, N_p]
    hs.push_back(m.packed_hidden_states(ids, positions, plan.lengths[p]).squeeze(0));  // [N_p, D]
  }
  if (hs.empty()) return torch::empty({0, m.config().hidden_size}, torch::TensorOptions().dtype(m.dtype()).device(m.device()));
  return hs.size() == 1 ? hs[0] : torch::cat(hs, 0);  // [N, D]
}

torch::Tensor batch_logits(CausalLM& m, const torch::Tensor& input_ids, const torch::Tensor& attention_mask) {
  auto plan = active_pack_plan(attention_mask);
  if (!plan) return m.forward(input_ids, attention_mask);  // [B, T, V]
  const int64_t B = input_ids.size(0), T = input_ids.size(1), V = m.config().vocab_size;
  auto h = packed_hidden(m, input_ids, *plan);                                  // [N, D]
  auto z = torch::linear(h, m.head_weight()).to(torch::kFloat);                 // [N, V]
  auto out = torch::zeros({B * T, V}, z.options());
  out = out.index_copy(0, plan->all_src.to(z.device()), z);  // differentiable scatter
  return out.view({B, T, V});
}

}  // namespace libu::model
