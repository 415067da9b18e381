// The byte-level BPE trainer writes a tokenizer.json that loads and round-trips any UTF-8.
#include <gtest/gtest.h>

#include "common/shared.h"
#include "libu/core/fs.h"
#include "libu/core/timing.h"
#include "libu/io/jsonl.h"
#include "libu/text/tokenizer.h"
#include "libu/text/trainer.h"

using namespace libu::text;

TEST(Trainer, TrainsLoadsAndRoundTrips) {
  auto docs = libu::io::read_jsonl_strings(libu::test::shared_path("data/semeval25/mia/member.jsonl"), "document");
  BpeTrainerOptions opt;
  opt.vocab_size = 1000;
  BpeTrainer tr(opt);
  for (auto& d : docs) tr.feed(d);
  libu::Timer timer;
  auto j = tr.train();
  EXPECT_LT(timer.seconds(), 5.0);
  std::string path = libu::test::temp_dir("trainer") + "/tokenizer.json";
  libu::write_file_atomic(path, j.dump());
  Tokenizer t = Tokenizer::from_file(path);
  EXPECT_EQ(t.vocab_size(), 1000u);
  EXPECT_EQ(t.token_to_id("<|endoftext|>"), std::optional<uint32_t>(0));
  EXPECT_EQ(t.token_to_id("<|padding|>"), std::optional<uint32_t>(1));
  EXPECT_EQ(t.eos_id(), std::optional<uint32_t>(0));
  EXPECT_EQ(t.pad_id(), std::optional<uint32_t>(1));
  for (std::string s : {std::string("Hello world, the capital of France is Paris."), std::string("生活的真谛是 😀👍🏽 ☃︎"),
                        std::string("\x00\x01\x7f tabs\t\r\n", 12), std::string("<|endoftext|>x<|padding|>"),
                        std::string("   leading and trailing   ")}) {
    auto ids = t.encode_ids(s);
    EXPECT_EQ(t.decode(ids), s);
  }
  // merges shorten common text: far fewer tokens than bytes
  auto ids = t.encode_ids(docs[0]);
  EXPECT_LT(ids.size() * 2, docs[0].size());
  EXPECT_EQ(t.encode_ids("<|endoftext|>"), std::vector<uint32_t>{0});
}

TEST(Trainer, RejectsTooSmallVocab) {
  BpeTrainerOptions opt;
  opt.vocab_size = 100;
  BpeTrainer tr(opt);
  tr.feed("abc");
  EXPECT_THROW(tr.train(), libu::Error);
}
