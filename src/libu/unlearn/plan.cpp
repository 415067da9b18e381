#include "libu/unlearn/plan.h"

#include <algorithm>
#include <optional>

#include "libu/core/error.h"
#include "libu/model/runtime.h"

namespace libu::unlearn {

std::vector<MicroBatch> interleaved_plan(const UnlearnData& d, const PlanOptions& o) {
  if (d.forget.empty()) fail("the forget set is empty", "pass --forget with at least one row");
  data::SamplerOptions fs{o.batch_size, o.seed, true, o.bucket_window, false};
  data::SamplerOptions rs{o.batch_size, o.seed ^ 0x5eedULL, true, o.bucket_window, false};
  bool retain = o.use_retain && !d.retain.empty() && o.retain_ratio > 0;
  std::optional<data::BatchStream> retain_stream;
  if (retain) retain_stream.emplace(&d.retain, rs);
  std::vector<MicroBatch> plan;
  for (int64_t e = 0; e < o.epochs; ++e) {
    auto fb = data::epoch_batches(d.forget, fs, e);
    size_t fi = 0;
    for (bool is_forget : data::interleave_schedule(int64_t(fb.size()), retain ? o.retain_ratio : 0.0)) {
      if (is_forget) plan.push_back({true, fb[fi++], 1.0});
      else plan.push_back({false, retain_stream->next(), 1.0});
    }
  }
  return plan;
}

std::vector<MicroBatch> sugd_plan(const UnlearnData& d, const PlanOptions& o, size_t chunk, size_t retain_per_forget) {
  if (d.forget.empty()) fail("the forget set is empty", "pass --forget with at least one row");
  std::vector<MicroBatch> plan;
  for (int64_t e = 0; e < o.epochs; ++e) {
    for (auto& c : data::sugd_chunks(d.forget.size(), d.retain.size(), chunk, retain_per_forget)) {
      // Interleave: after each forget sample, its share of retain samples.
      size_t per = c.forget.empty() ? 0 : c.retain.size() / c.forget.size(), r = 0;
      for (size_t f : c.forget) {
        plan.push_back({true, {f}, -1.0});
        for (size_t k = 0; k < per && r < c.retain.size(); ++k) plan.push_back({false, {c.retain[r++]}, 0.5});
      }
      while (r < c.retain.size()) plan.push_back({false, {c.retain[r++]}, 0.5});
    }
  }
  return plan;
}

std::vector<double> accumulation_weights(const std::vector<MicroBatch>& plan, size_t first, size_t n,
                                         const UnlearnData& d, Objective o) {
  n = first < plan.size() ? std::min(n, plan.size() - first) : 0;
  std::vector<double> units(n, 0.0);
  double sum[2] = {0, 0};
  int count[2] = {0, 0};
  for (size_t i = 0; i < n; ++i) {
    const MicroBatch& mb = plan[first + i];
    if (mb.forget && forget_term_is_row_mean(o)) {
      units[i] = double(mb.rows.size());
    } else {
      const auto& ex = mb.forget ? d.forget : d.retain;
      for (size_t r : mb.rows) units[i] += double(data::scored_tokens(ex.at(r)));
    }
    sum[mb.forget] += units[i], count[mb.forget] += 1;
  }
  std::vector<double> w(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    int role = plan[first + i].forget;
    w[i] = sum[role] > 0 ? units[i] * count[role] / sum[role] : 0.0;
  }
  return w;
}

TensorBatch make_batch(const std::vector<data::Example>& ex, const std::vector<size_t>& rows, int64_t pad_id,
                       c10::Device device) {
  data::Batch b = data::collate(ex, rows, pad_id);
  auto opts = torch::TensorOptions().dtype(torch::kLong);
  // Pinned, non-blocking copies on CUDA (model::to_device): the host builds the next batch
  // while the device runs this one.
  auto to = [&](const std::vector<int64_t>& v) { return model::to_device(torch::tensor(v, opts).view({b.B, b.T}), device); };
  std::vector<float> tau, w;
  std::vector<int64_t> kind;
  std::vector<float> anchor;
  bool any_anchor = false;
  for (size_t r : rows) {
    tau.push_back(float(ex[r].target_nll)), w.push_back(float(ex[r].weight)), kind.push_back(ex[r].target_kind);
    anchor.push_back(ex[r].anchor ? 1.0f : 0.0f), any_anchor |= ex[r].anchor;
  }
  auto f32 = torch::TensorOptions().dtype(torch::kFloat);
  return {to(b.input_ids), to(b.attention_mask), to(b.labels), b.loss_tokens(),
          model::to_device(torch::tensor(tau, f32), device), model::to_device(torch::tensor(w, f32), device),
          model::to_device(torch::tensor(kind, opts), device),
          any_anchor ? model::to_device(torch::tensor(anchor, f32), device) : torch::Tensor()};  // [B] each
}

}  // namespace libu::unlearn
