// libu/data/batching.h — the torch-free core of the unlearning dataset (docs/unlearning.md):
// tokenised examples with full/answer loss masks, dynamic padding, optional length
// bucketing, a deterministic per-(seed, epoch) order with a resumable cursor,
// forget/retain interleaving and SUGD chunking. Everything is std::vector<int64_t>; a thin
// to-tensor step lives with the trainer.
#pragma once
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "libu/io/records.h"

namespace libu::data {

enum class LossOn { Full, Answer };  // full = input+output tokens, answer = output tokens only

// Returns token ids for a text (no special tokens), e.g. a Tokenizer's encode(text, false).
using EncodeFn = std::function<std::vector<int64_t>(const std::string&)>;

struct Example {
  std::string id;
  std::vector<int64_t> ids;   // tokenize(input + output) [+ eos]
  std::vector<uint8_t> loss;  // 1 = position counts in the loss
  bool truncated = false;
  double target_nll = std::nan("");  // calibrated objective: this row's never-seen NLL level τ
  double weight = 1.0;               // calibrated objective: the row's weight in the forget mean
  bool anchor = false;               // --anchor row: held to the frozen model by KL, never trained on
  int64_t target_kind = -1;          // calibrated, --calib-target tokens: row of the quantile table (-1: overall)
};

// The positions of e the shifted loss scores: loss[t] = 1 at t >= 1 (t = 0 is never predicted).
int64_t scored_tokens(const Example& e);

struct ExampleOptions {
  LossOn loss_on = LossOn::Full;
  int64_t max_length = 1024;          // longer examples are cut (and counted)
  std::optional<int64_t> eos_id;      // appended when set
};

struct BuildStats {
  size_t examples = 0, truncated = 0, empty_loss = 0;
};

// tokens = encode(input + output) (no separator, as the official evaluation). For
// LossOn::Answer the first len(encode(input)) positions are masked out.
std::vector<Example> build_examples(const std::vector<io::Record>& recs, const EncodeFn& encode,
                                    const ExampleOptions& opt, BuildStats* stats = nullptr);

// A padded micro-batch. Shapes: [B, T] row-major, T = longest row (dynamic padding).
struct Batch {
  int64_t B = 0, T = 0;
  std::vector<int64_t> input_ids;       // [B, T], pad_id at padding
  std::vector<int64_t> attention_mask;  // [B, T], 1 = real token
  std::vector<int64_t> labels;          // [B, T], token id where loss counts, -100 elsewhere
  std::vector<size_t> rows;             // example indices
  int64_t loss_tokens() const;
};
Batch collate(const std::vector<Example>& ex, const std::vector<size_t>& rows, int64_t pad_id);

// Position in an epoch-ordered stream; saved in checkpoints.
struct Cursor {
  int64_t epoch = 0;
  int64_t position = 0;  // index of the next batch within the epoch
};

struct SamplerOptions {
  int64_t batch_size = 1;
  uint64_t seed = 0;
  bool shuffle = true;
  int64_t bucket_window = 0;  // >1: sort by length inside windows of batch_size*bucket_window
  bool drop_last = false;
};

// Batches (lists of example indices) of one epoch; deterministic in (seed, epoch).
std::vector<std::vector<size_t>> epoch_batches(const std::vector<Example>& ex, const SamplerOptions& opt, int64_t epoch);

// Iterates batches across epochs from a cursor; resuming from a saved cursor yields the
// same sequence as an uninterrupted run.
class BatchStream {
 public:
  BatchStream(const std::vector<Example>* ex, SamplerOptions opt, Cursor start = {});
  std::vector<size_t> next();  // advances the cursor
  const Cursor& cursor() const { return cursor_; }

 private:
  const std::vector<Example>* ex_;
  SamplerOptions opt_;
  Cursor cursor_;
  int64_t cached_epoch_ = -1;
  std::vector<std::vector<size_t>> cache_;
};

// A forget/retain schedule: for each forget batch, `retain_ratio` retain batches follow
// (fractional ratios are spread evenly). true = forget.
std::vector<bool> interleave_schedule(int64_t forget_batches, double retain_ratio);

// SUGD (AILS-NTUA, arXiv 2503.02443): forget indices split into chunks of `chunk`; each
// chunk's forget samples are paired with chunk*retain_per_forget retain indices, cycling
// through retain.
struct SugdChunk {
  std::vector<size_t> forget, retain;
};
std::vector<SugdChunk> sugd_chunks(size_t n_forget, size_t n_retain, size_t chunk = 32, size_t retain_per_forget = 7);

}  // namespace libu::data
