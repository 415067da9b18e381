// libu/unlearn/row_scores.cpp — see row_scores.h.
#include "libu/unlearn/row_scores.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "libu/dist/dist.h"
#include "libu/model/lm_head.h"

namespace libu::unlearn {

namespace {

// Every rank's rows back in the original order (the same batches as one process, so the
// numbers are identical to a one-process run). `firsts`: the first row of each local batch.
RowStats gather_rows(const RowStats& mine, const std::vector<size_t>& firsts, int64_t bs, size_t n) {
  nlohmann::json j = {{"firsts", firsts}, {"nll", mine.nll}, {"acc", mine.token_acc}, {"exact", mine.exact}, {"es", mine.extraction}};
  RowStats all;
  all.nll.assign(n, NAN), all.token_acc.assign(n, NAN), all.exact.assign(n, NAN), all.extraction.assign(n, NAN);
  for (const auto& s : dist::all_gather_strings(j.dump())) {
    auto r = nlohmann::json::parse(s);
    auto fs = r["firsts"].get<std::vector<size_t>>();
    size_t k = 0;
    for (size_t f : fs)
      for (size_t i = f; i < std::min(n, f + size_t(bs)); ++i, ++k) {
        auto num = [&](const char* key) { return r[key][k].is_null() ? NAN : r[key][k].get<double>(); };
        all.nll[i] = num("nll"), all.token_acc[i] = num("acc"), all.exact[i] = num("exact");
        all.extraction[i] = num("es");
      }
  }
  return all;
}

// Runs fn(first row, scores of rows [first, first + B)) over batches of `bs` rows in order,
// in eval mode; `owned(j)` says whether this process runs batch j.
template <class Owned, class Fn>
void for_each_scored_batch(model::CausalLM& m, const std::vector<data::Example>& ex, int64_t pad_id, int64_t bs,
                           bool hits, Owned owned, Fn fn) {
  torch::NoGradGuard ng;
  const bool was = m.training();
  m.set_training(false);
  for (size_t i = 0, j = 0; i < ex.size(); i += size_t(bs), ++j) {
    if (!owned(j)) continue;
    std::vector<size_t> rows;
    for (size_t r = i; r < std::min(ex.size(), i + size_t(bs)); ++r) rows.push_back(r);
    auto b = make_batch(ex, rows, pad_id, m.device());
    fn(i, model::token_scores(m, b.input_ids, b.attention_mask, b.labels, hits, /*with_moments=*/false));
  }
  m.set_training(was);
}

}  // namespace

RowStats row_stats(model::CausalLM& m, const std::vector<data::Example>& ex, int64_t pad_id, int64_t batch) {
  RowStats out;
  const int64_t bs = std::max<int64_t>(1, batch);
  std::vector<size_t> firsts;  // the first row of each batch this rank ran
  for_each_scored_batch(m, ex, pad_id, bs, true, [](size_t j) { return dist::owns(j); },
                        [&](size_t first, const model::TokenScores& s) {
                          firsts.push_back(first);
                          auto n = s.mask.sum(1);                                                      // [B]
                          auto nll = (-s.logp.sum(1) / n.clamp_min(1.0)).to(torch::kDouble).cpu();    // [B]
                          auto acc = (s.hit.sum(1) / n.clamp_min(1.0)).to(torch::kDouble).cpu();      // [B]
                          auto cnt = n.to(torch::kDouble).cpu();
                          // The all-correct suffix: loss positions with no miss at or after them.
                          auto miss = s.mask * (1 - s.hit);                                             // [B, T-1]
                          auto clean = miss.flip({1}).cumsum(1).flip({1}).eq(0).to(s.mask.dtype());     // [B, T-1]
                          auto suffix = (s.mask * clean).sum(1).clamp_min(1.0);                         // [B]
                          auto es = (suffix.to(torch::kDouble) / n.clamp_min(1.0).to(torch::kDouble)).cpu();  // [B]
                          for (int64_t k = 0; k < nll.size(0); ++k) {
                            const bool has = cnt[k].item<double>() > 0;
                            const double a = acc[k].item<double>();
                            out.nll.push_back(has ? nll[k].item<double>() : std::nan(""));
                            out.token_acc.push_back(has ? a : std::nan(""));
                            out.exact.push_back(has ? (a >= 1.0 ? 1.0 : 0.0) : std::nan(""));
                            out.extraction.push_back(has ? es[k].item<double>() : std::nan(""));
                          }
                        });
  return dist::active() ? gather_rows(out, firsts, bs, ex.size()) : out;
}

std::vector<double> row_nlls(model::CausalLM& m, const std::vector<data::Example>& ex, int64_t pad_id, int64_t batch) {
  return row_stats(m, ex, pad_id, batch).nll;
}

std::vector<std::vector<float>> row_token_nlls(model::CausalLM& m, const std::vector<data::Example>& ex,
                                               int64_t pad_id, int64_t batch) {
  std::vector<std::vector<float>> out;
  for_each_scored_batch(m, ex, pad_id, std::max<int64_t>(1, batch), false, [](size_t) { return true; },
                        [&](size_t, const model::TokenScores& s) {
                          auto nll = (-s.logp).cpu().contiguous(), mk = s.mask.cpu().contiguous();
                          auto n = nll.accessor<float, 2>(), k = mk.accessor<float, 2>();  // one transfer
                          for (int64_t r = 0; r < n.size(0); ++r) {
                            std::vector<float> v;
                            for (int64_t t = 0; t < n.size(1); ++t)
                              if (k[r][t] > 0) v.push_back(n[r][t]);
                            out.push_back(std::move(v));
                          }
                        });
  return out;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  size_t n = 0;
  for (double x : v)
    if (!std::isnan(x)) s += x, ++n;
  return n ? s / double(n) : std::nan("");
}

}  // namespace libu::unlearn
