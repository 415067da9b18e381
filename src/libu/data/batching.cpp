// libu/data/batching.cpp — see batching.h.
#include "libu/data/batching.h"

#include <algorithm>
#include <cmath>

#include "libu/core/error.h"
#include "libu/core/rng.h"

namespace libu::data {

int64_t scored_tokens(const Example& e) {
  return e.loss.size() < 2 ? 0 : int64_t(std::count(e.loss.begin() + 1, e.loss.end(), 1));
}

std::vector<Example> build_examples(const std::vector<io::Record>& recs, const EncodeFn& encode,
                                    const ExampleOptions& opt, BuildStats* stats) {
  if (opt.max_length < 1) fail(cat("max_length must be >= 1, got ", opt.max_length));
  std::vector<Example> out;
  BuildStats st;
  for (auto& r : recs) {
    Example e;
    e.id = r.id;
    e.ids = encode(r.input + r.output);
    size_t prompt = opt.loss_on == LossOn::Answer ? std::min(encode(r.input).size(), e.ids.size()) : 0;
    if (opt.eos_id) e.ids.push_back(*opt.eos_id);
    e.loss.assign(e.ids.size(), 1);
    std::fill(e.loss.begin(), e.loss.begin() + long(prompt), 0);
    if (int64_t(e.ids.size()) > opt.max_length) {
      e.ids.resize(size_t(opt.max_length));
      e.loss.resize(size_t(opt.max_length));
      e.truncated = true;
      ++st.truncated;
    }
    // Position 0 is never scored (nothing predicts it), so a row needs a loss token after it.
    if (scored_tokens(e) == 0) ++st.empty_loss;
    out.push_back(std::move(e));
  }
  st.examples = out.size();
  if (stats) *stats = st;
  return out;
}

// The scored positions: a label at t >= 1 of its row (the shifted loss predicts token t from
// the tokens before it, so the label at t = 0 never enters it).
int64_t Batch::loss_tokens() const {
  int64_t n = 0;
  for (size_t k = 0; k < labels.size(); ++k) n += (T > 0 && int64_t(k) % T != 0 && labels[k] != -100) ? 1 : 0;
  return n;
}

Batch collate(const std::vector<Example>& ex, const std::vector<size_t>& rows, int64_t pad_id) {
  Batch b;
  b.B = int64_t(rows.size());
  for (size_t r : rows) {
    if (r >= ex.size()) fail_internal(cat("collate: row ", r, " out of range"));
    b.T = std::max(b.T, int64_t(ex[r].ids.size()));
  }
  size_t n = size_t(b.B * b.T);
  b.input_ids.assign(n, pad_id);
  b.attention_mask.assign(n, 0);
  b.labels.assign(n, -100);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Example& e = ex[rows[i]];
    for (size_t t = 0; t < e.ids.size(); ++t) {
      size_t k = i * size_t(b.T) + t;
      b.input_ids[k] = e.ids[t];
      b.attention_mask[k] = 1;
      if (e.loss[t]) b.labels[k] = e.ids[t];
    }
  }
  b.rows = rows;
  return b;
}

std::vector<std::vector<size_t>> epoch_batches(const std::vector<Example>& ex, const SamplerOptions& opt, int64_t epoch) {
  if (opt.batch_size < 1) fail(cat("batch size must be >= 1, got ", opt.batch_size));
  size_t n = ex.size(), bs = size_t(opt.batch_size);
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  if (opt.shuffle) {
    Rng rng(mix_seed(opt.seed, uint64_t(epoch)));
    auto p = rng.permutation(int64_t(n));
    for (size_t i = 0; i < n; ++i) order[i] = size_t(p[i]);
  }
  if (opt.bucket_window > 1) {
    size_t w = bs * size_t(opt.bucket_window);
    for (size_t s = 0; s < n; s += w) {
      auto end = order.begin() + long(std::min(n, s + w));
      std::stable_sort(order.begin() + long(s), end, [&](size_t a, size_t b) { return ex[a].ids.size() < ex[b].ids.size(); });
    }
  }
  std::vector<std::vector<size_t>> batches;
  for (size_t s = 0; s < n; s += bs) {
    if (opt.drop_last && s + bs > n) break;
    batches.emplace_back(order.begin() + long(s), order.begin() + long(std::min(n, s + bs)));
  }
  if (opt.bucket_window > 1 && opt.shuffle) {  // bucketed batches are visited in random order
    Rng rng(mix_seed(opt.seed ^ 0xb0c3, uint64_t(epoch)));
    auto p = rng.permutation(int64_t(batches.size()));
    std::vector<std::vector<size_t>> shuffled;
    for (int64_t i : p) shuffled.push_back(batches[size_t(i)]);
    batches = std::move(shuffled);
  }
  return batches;
}

BatchStream::BatchStream(const std::vector<Example>* ex, SamplerOptions opt, Cursor start)
    : ex_(ex), opt_(opt), cursor_(start) {
  if (ex_->empty()) fail("cannot iterate an empty dataset", "check the data path and split");
}

std::vector<size_t> BatchStream::next() {
  for (;;) {
    if (cached_epoch_ != cursor_.epoch) {
      cache_ = epoch_batches(*ex_, opt_, cursor_.epoch);
      cached_epoch_ = cursor_.epoch;
      if (cache_.empty()) fail("the dataset yields no batch (drop_last with fewer rows than a batch)");
    }
    if (cursor_.position < int64_t(cache_.size())) return cache_[size_t(cursor_.position++)];
    ++cursor_.epoch;
    cursor_.position = 0;
  }
}

std::vector<bool> interleave_schedule(int64_t forget_batches, double retain_ratio) {
  if (retain_ratio < 0 || !std::isfinite(retain_ratio)) fail(cat("--retain-ratio must be >= 0, got ", retain_ratio));
  std::vector<bool> s;
  double owed = 0;
  for (int64_t f = 0; f < forget_batches; ++f) {
    s.push_back(true);
    owed += retain_ratio;
    while (owed >= 1.0 - 1e-9) {
      s.push_back(false);
      owed -= 1.0;
    }
  }
  return s;
}

std::vector<SugdChunk> sugd_chunks(size_t n_forget, size_t n_retain, size_t chunk, size_t retain_per_forget) {
  if (chunk == 0) fail("SUGD chunk size must be >= 1");
  if (n_retain == 0 && retain_per_forget > 0) fail("SUGD needs retain examples");
  std::vector<SugdChunk> out;
  size_t r = 0;
  for (size_t s = 0; s < n_forget; s += chunk) {
    SugdChunk c;
    for (size_t i = s; i < std::min(n_forget, s + chunk); ++i) c.forget.push_back(i);
    for (size_t k = 0; k < chunk * retain_per_forget; ++k) c.retain.push_back(r++ % n_retain);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace libu::data
