// Generation for the official evaluation: batched left-padded greedy decoding equals
// unbatched decoding on a tiny model with a real tokenizer, and only the new tokens are
// decoded (special tokens skipped, HF clean-up of tokenization spaces).
#include <set>

#include <gtest/gtest.h>

#include "evalrun_fixture.h"
#include "libu/core/error.h"
#include "libu/eval/generation_eval.h"
#include "libu/model/generate.h"

using namespace libu;
using namespace libu::eval;

TEST(EvalRunGeneration, BatchedLeftPaddedEqualsUnbatched) {
  auto tok = text::Tokenizer::from_model_dir(test::tiny_model_dir());
  auto m = model::CausalLM::load(test::tiny_model_dir());
  // Prompts of very different lengths, so the batch has real left padding.
  std::vector<std::string> prompts = {
      "Hello",
      "The quick brown fox jumps over the lazy dog while the cat watches from the window.",
      "Who is the author of this book?",
      "A",
      "In 1999, the city council voted to rename the main street after a local poet."};
  GenerationOptions o;
  o.max_new_tokens = 10;
  o.batch_size = 5;
  auto batched = generate_texts(*m, tok, prompts, o, "test");
  o.batch_size = 1;
  auto single = generate_texts(*m, tok, prompts, o, "test");
  ASSERT_EQ(batched.size(), prompts.size());
  for (size_t i = 0; i < prompts.size(); ++i) EXPECT_EQ(batched[i], single[i]) << "prompt " << i;
  // Non-trivial outputs: the continuations depend on the prompt (so padding mistakes show).
  std::set<std::string> distinct(single.begin(), single.end());
  EXPECT_GE(distinct.size(), 3u);
  for (auto& s : single) EXPECT_FALSE(s.empty());
  o.batch_size = 2;  // uneven batches
  EXPECT_EQ(generate_texts(*m, tok, prompts, o, "test"), single);
}

// The parity check can fail: a left-padded batch without its mask and position ids gives
// different last-position logits than the rows alone, while the masked batch does not.
TEST(EvalRunGeneration, ParityDetectsUnmaskedPadding) {
  auto tok = text::Tokenizer::from_model_dir(test::tiny_model_dir());
  auto m = model::CausalLM::load(test::tiny_model_dir());
  std::vector<std::vector<int64_t>> rows;
  for (std::string p : {"Hi there", "The quick brown fox jumps over the lazy dog."}) {
    auto ids = tok.encode_ids(p, false);
    rows.emplace_back(ids.begin(), ids.end());
  }
  torch::NoGradGuard ng;
  auto [ids, mask] = model::left_pad(rows, 0);                 // [2, L]
  auto pos = (mask.cumsum(1) - 1).clamp_min(0);                 // [2, L]
  auto good = m->forward(ids, mask, pos, nullptr, true)[0][0];  // [V] (row 0 is the padded one)
  auto bad = m->forward(ids, {}, {}, nullptr, true)[0][0];      // [V]
  auto alone = m->forward(torch::tensor(rows[0]).unsqueeze(0), {}, {}, nullptr, true)[0][0];  // [V]
  EXPECT_LT((good - alone).abs().max().item<double>(), 1e-4);
  EXPECT_GT((bad - alone).abs().max().item<double>(), 1e-3);
}

TEST(EvalRunGeneration, DecodesOnlyTheNewTokensOfRawInput) {
  auto tok = text::Tokenizer::from_model_dir(test::tiny_model_dir());
  auto m = model::CausalLM::load(test::tiny_model_dir());
  auto sp = special_ids(*m, tok);
  ASSERT_EQ(sp.eos.size(), 1u);
  EXPECT_EQ(sp.eos[0], int64_t(*tok.eos_id()));
  // Same tokens through the engine directly: the text is decode(new ids, skip, clean_up).
  std::string prompt = "Paris is the capital of";
  auto ids32 = tok.encode_ids(prompt, false);
  std::vector<int64_t> ids(ids32.begin(), ids32.end());
  model::GenerateOptions g;
  g.max_new_tokens = 7;
  g.eos_ids = sp.eos;
  g.pad_id = sp.pad;
  auto toks = model::generate_greedy(*m, {ids}, g)[0];
  std::vector<uint32_t> u(toks.begin(), toks.end());
  GenerationOptions o;
  o.max_new_tokens = 7;
  EXPECT_EQ(generate_texts(*m, tok, {prompt}, o, "test")[0], tok.decode(u, true, true));
  EXPECT_LE(toks.size(), 7u);
}

TEST(EvalRunGeneration, EmptyInputIsAnErrorNamingTheRow) {
  auto tok = text::Tokenizer::from_model_dir(test::tiny_model_dir());
  auto m = model::CausalLM::load(test::tiny_model_dir());
  io::Record r{"\"odd\"id_sc1", "", "out", "Task1", "forget"};
  try {
    generate_predictions(*m, tok, {r}, GenerationOptions{}, "generate forget");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("\"odd\"id_sc1"), std::string::npos) << e.message();
  }
}
