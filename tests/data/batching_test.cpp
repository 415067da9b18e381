// Unlearning batches without a tokenizer: a fake encode (one id per character).
#include <gtest/gtest.h>

#include "libu/data/batching.h"

using namespace libu;
using namespace libu::data;

namespace {
std::vector<int64_t> fake_encode(const std::string& s) {
  std::vector<int64_t> v;
  for (unsigned char c : s) v.push_back(int64_t(c));
  return v;
}
std::vector<io::Record> recs(int n) {
  std::vector<io::Record> r;
  for (int i = 0; i < n; ++i) r.push_back({"r" + std::to_string(i), std::string(size_t(1 + i % 5), 'q'), "ab", "Task1", "forget"});
  return r;
}
}  // namespace

TEST(Batching, LossMasksFullAnswerEosAndTruncation) {
  std::vector<io::Record> r = {{"x", "hi ", "yo", "", ""}};
  ExampleOptions o;
  o.loss_on = LossOn::Answer;
  o.eos_id = 0;
  BuildStats st;
  auto ex = build_examples(r, fake_encode, o, &st);
  EXPECT_EQ(ex[0].ids, (std::vector<int64_t>{'h', 'i', ' ', 'y', 'o', 0}));
  EXPECT_EQ(ex[0].loss, (std::vector<uint8_t>{0, 0, 0, 1, 1, 1}));
  o.loss_on = LossOn::Full;
  o.max_length = 4;
  ex = build_examples(r, fake_encode, o, &st);
  EXPECT_EQ(ex[0].loss, (std::vector<uint8_t>{1, 1, 1, 1}));
  EXPECT_TRUE(ex[0].truncated);
  EXPECT_EQ(st.truncated, 1u);
}

TEST(Batching, DynamicPaddingNeverInLoss) {
  auto ex = build_examples(recs(3), fake_encode, {});
  Batch b = collate(ex, {0, 2}, 7);
  EXPECT_EQ(b.B, 2);
  EXPECT_EQ(b.T, 5);  // longest row (3 + 2), not max_length
  EXPECT_EQ(b.input_ids[3], 7);       // row 0 is 3 long: padded from t=3
  EXPECT_EQ(b.attention_mask[3], 0);
  EXPECT_EQ(b.labels[3], -100);
  // Scored positions only: the shifted loss never scores t = 0 (rows of 3 and 5 give 2 + 4).
  EXPECT_EQ(b.loss_tokens(), 2 + 4);
  ExampleOptions answer;
  answer.loss_on = LossOn::Answer;
  ex = build_examples({{"y", "", "abc", "", ""}, {"z", "pq", "r", "", ""}}, fake_encode, answer);
  EXPECT_EQ(collate(ex, {0, 1}, 7).loss_tokens(), 2 + 1);  // empty prompt: t = 0 is still not scored
}

TEST(Batching, LossTokensAreWhatTheShiftedLossAverages) {
  // The count the trainer logs and Sophia-G scales by equals the labels the shifted
  // cross-entropy sees: labels[:, 1:] != -100.
  auto ex = build_examples(recs(5), fake_encode, {});
  Batch b = collate(ex, {0, 1, 2, 3, 4}, 7);
  int64_t shifted = 0;
  for (int64_t i = 0; i < b.B; ++i)
    for (int64_t t = 1; t < b.T; ++t) shifted += b.labels[size_t(i * b.T + t)] != -100;
  EXPECT_EQ(b.loss_tokens(), shifted);
  BuildStats st;
  build_examples({{"one", "", "a", "", ""}}, fake_encode, {}, &st);
  EXPECT_EQ(st.empty_loss, 1u) << "a one-token row has nothing to score";
}

TEST(Batching, DeterministicShuffleAndResumableCursor) {
  auto ex = build_examples(recs(10), fake_encode, {});
  SamplerOptions o;
  o.batch_size = 3;
  o.seed = 5;
  EXPECT_EQ(epoch_batches(ex, o, 0), epoch_batches(ex, o, 0));
  EXPECT_NE(epoch_batches(ex, o, 0), epoch_batches(ex, o, 1));
  BatchStream full(&ex, o);
  std::vector<std::vector<size_t>> seq;
  for (int i = 0; i < 9; ++i) seq.push_back(full.next());
  BatchStream a(&ex, o);
  for (int i = 0; i < 5; ++i) a.next();
  BatchStream resumed(&ex, o, a.cursor());  // as restored from a checkpoint
  for (int i = 5; i < 9; ++i) EXPECT_EQ(resumed.next(), seq[size_t(i)]) << i;
  EXPECT_EQ(resumed.cursor().epoch, 2);  // 4 batches per epoch
}

TEST(Batching, BucketingGroupsSimilarLengths) {
  auto ex = build_examples(recs(20), fake_encode, {});
  SamplerOptions o;
  o.batch_size = 4;
  o.bucket_window = 5;  // the whole set is one window
  size_t spread = 0;
  for (auto& b : epoch_batches(ex, o, 0)) {
    size_t lo = 1000, hi = 0;
    for (size_t i : b) lo = std::min(lo, ex[i].ids.size()), hi = std::max(hi, ex[i].ids.size());
    spread += hi - lo;
  }
  EXPECT_LE(spread, 5u);
}

TEST(Batching, InterleaveAndSugd) {
  EXPECT_EQ(interleave_schedule(2, 1.0), (std::vector<bool>{true, false, true, false}));
  EXPECT_EQ(interleave_schedule(4, 0.5), (std::vector<bool>{true, true, false, true, true, false}));
  auto c = sugd_chunks(70, 100);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].forget.size(), 32u);
  EXPECT_EQ(c[2].forget.size(), 6u);
  EXPECT_EQ(c[0].retain.size(), 7u * 32);
  EXPECT_EQ(c[1].retain[0], (7u * 32) % 100);  // cycles through retain
}
