#include "libu/model/generate.h"

#include <algorithm>
#include <numeric>

#include "libu/core/error.h"

namespace libu::model {

std::pair<torch::Tensor, torch::Tensor> left_pad(const std::vector<std::vector<int64_t>>& rows, int64_t pad_id) {
  int64_t B = int64_t(rows.size()), L = 0;
  for (auto& r : rows) L = std::max<int64_t>(L, int64_t(r.size()));
  auto ids = torch::full({B, L}, pad_id, torch::kLong);
  auto mask = torch::zeros({B, L}, torch::kLong);
  auto ia = ids.accessor<int64_t, 2>();
  auto ma = mask.accessor<int64_t, 2>();
  for (int64_t b = 0; b < B; ++b) {
    int64_t off = L - int64_t(rows[size_t(b)].size());
    for (size_t t = 0; t < rows[size_t(b)].size(); ++t) {
      ia[b][off + int64_t(t)] = rows[size_t(b)][t];
      ma[b][off + int64_t(t)] = 1;
    }
  }
  return {ids, mask};
}

namespace {

// One batch: prompts [B] -> new tokens [B].
std::vector<std::vector<int64_t>> generate_batch(CausalLM& model, const std::vector<std::vector<int64_t>>& prompts,
                                                 const GenerateOptions& opt) {
  auto [ids, mask] = left_pad(prompts, opt.pad_id);  // [B, L]
  int64_t B = ids.size(0);
  auto dev = model.device();
  ids = ids.to(dev);
  mask = mask.to(dev);
  // Positions count real tokens only: cumsum(mask) - 1 (HF with left padding).
  auto pos = (mask.cumsum(1) - 1).clamp_min(0);  // [B, L]
  KVCache cache = model.new_cache();
  auto logits = model.forward(ids, mask, pos, &cache, /*last_only=*/true);  // [B, 1, V]
  auto next_pos = pos.select(1, pos.size(1) - 1).unsqueeze(1) + 1;         // [B, 1]
  auto eos = torch::tensor(opt.eos_ids.empty() ? std::vector<int64_t>{-1} : opt.eos_ids, torch::kLong).to(dev);
  auto finished = torch::zeros({B}, torch::TensorOptions().dtype(torch::kBool).device(dev));
  std::vector<std::vector<int64_t>> out(static_cast<size_t>(B));
  auto ones = torch::ones({B, 1}, torch::TensorOptions().dtype(torch::kLong).device(dev));
  for (int64_t step = 0; step < opt.max_new_tokens; ++step) {
    auto next = logits.select(1, 0).argmax(-1);                     // [B]
    auto is_eos = (next.unsqueeze(1) == eos.unsqueeze(0)).any(1);   // [B]
    auto emit = finished.logical_not() & is_eos.logical_not();
    auto next_cpu = next.to(torch::kCPU);
    auto emit_cpu = emit.to(torch::kCPU);
    for (int64_t b = 0; b < B; ++b)
      if (emit_cpu[b].item<bool>()) out[size_t(b)].push_back(next_cpu[b].item<int64_t>());
    finished = finished | is_eos;
    if (finished.all().item<bool>() || step + 1 == opt.max_new_tokens) break;
    next = next.masked_fill(finished, opt.pad_id);
    logits = model.forward(next.unsqueeze(1), ones, next_pos, &cache, true);
    next_pos = next_pos + 1;
  }
  return out;
}

}  // namespace

std::vector<std::vector<int64_t>> generate_greedy(CausalLM& model, const std::vector<std::vector<int64_t>>& prompts,
                                                  const GenerateOptions& opt,
                                                  const std::function<void(int64_t, int64_t)>& on_batch) {
  torch::NoGradGuard ng;
  bool was_training = model.training();
  model.set_training(false);
  for (size_t i = 0; i < prompts.size(); ++i)
    if (prompts[i].empty()) fail(cat("prompt ", i, " is empty"), "every row needs at least one input token");
  std::vector<size_t> order(prompts.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return prompts[a].size() > prompts[b].size(); });
  std::vector<std::vector<int64_t>> results(prompts.size());
  int64_t bs = std::max<int64_t>(1, opt.batch_size);
  for (size_t start = 0; start < order.size(); start += size_t(bs)) {
    size_t end = std::min(order.size(), start + size_t(bs));
    std::vector<std::vector<int64_t>> batch;
    for (size_t i = start; i < end; ++i) batch.push_back(prompts[order[i]]);
    auto out = generate_batch(model, batch, opt);
    for (size_t i = start; i < end; ++i) results[order[i]] = std::move(out[i - start]);
    if (on_batch) on_batch(int64_t(end), int64_t(order.size()));
  }
  model.set_training(was_training);
  return results;
}

}  // namespace libu::model
