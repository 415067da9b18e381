// decode(encode(x)) == x with the OLMo tokenizer on input+output of every row of the four
// SemEval-2025 Task 4 parquet files (read with libu's own parquet reader), plus the MIA
// documents; the batch encoder must agree with the single one.
#include <gtest/gtest.h>

#include "common/shared.h"
#include "libu/io/jsonl.h"
#include "libu/io/records.h"
#include "libu/text/tokenizer.h"

using namespace libu::text;

namespace {

const Tokenizer& olmo() {
  static Tokenizer t = Tokenizer::from_file(libu::test::shared_path("data/tokenizers/olmo_gpt-neox-olmo-dolma-v1_5.tokenizer.json"));
  return t;
}

std::vector<std::string> semeval_texts() {
  std::vector<std::string> texts;
  for (const char* f : {"forget_train", "retain_train", "forget_validation", "retain_validation"}) {
    auto recs = libu::io::load_records(libu::test::shared_path(std::string("data/semeval25/") + f + "-00000-of-00001.parquet"));
    for (auto& r : recs) texts.push_back(r.input + r.output);
  }
  return texts;
}

}  // namespace

TEST(RoundTrip, SemEvalParquetRowsWithOlmo) {
  auto texts = semeval_texts();
  ASSERT_EQ(texts.size(), 1112u + 1136u + 254u + 278u);
  size_t bad = 0, tokens = 0;
  for (auto& x : texts) {
    auto ids = olmo().encode_ids(x);
    tokens += ids.size();
    if (olmo().decode(ids) != x && ++bad <= 3) ADD_FAILURE() << "round trip differs for: " << x.substr(0, 200);
  }
  EXPECT_EQ(bad, 0u);
  EXPECT_GT(tokens, 100000u);
  auto batch = olmo().encode_batch(texts, false, 2);
  for (size_t i = 0; i < texts.size(); i += 97) EXPECT_EQ(batch[i].ids, olmo().encode_ids(texts[i])) << i;
}

TEST(RoundTrip, MiaDocumentsWithOlmo) {
  for (const char* f : {"mia/member.jsonl", "mia/nonmember.jsonl"}) {
    auto docs = libu::io::read_jsonl_strings(libu::test::shared_path(std::string("data/semeval25/") + f), "document");
    ASSERT_FALSE(docs.empty());
    for (auto& d : docs) ASSERT_EQ(olmo().decode(olmo().encode_ids(d)), d);
  }
}
