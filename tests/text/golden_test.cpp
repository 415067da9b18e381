// Exact parity with HF tokenizers 0.23.2 (Rust core) on 6 real tokenizer.json files:
// every id, token string, offset and decoded string of golden_encodings.json.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/shared.h"
#include "libu/core/fs.h"
#include "libu/text/tokenizer.h"

using namespace libu::text;
using nlohmann::json;

namespace {

const json& golden() {
  static const json g = json::parse(libu::read_file(libu::test::shared_path("data/tokenizers/golden_encodings.json")));
  return g;
}

std::string show(const std::vector<uint32_t>& v) {
  std::string s;
  for (auto x : v) s += std::to_string(x) + " ";
  return s;
}

// Returns the number of mismatching cases (and reports each one).
int check_tokenizer(const std::string& file, const json& g) {
  Tokenizer tok = Tokenizer::from_file(libu::test::shared_path("data/tokenizers/" + file));
  EXPECT_EQ(tok.vocab_size(), g["vocab_size_with_added"].get<size_t>()) << file;
  int bad = 0;
  for (const json& c : g["cases"]) {
    std::string text = c["text"];
    Encoding e = tok.encode(text, false);
    auto ids = c["ids"].get<std::vector<uint32_t>>();
    auto offs = c["offsets"].get<std::vector<std::pair<uint32_t, uint32_t>>>();
    auto toks = c["tokens"].get<std::vector<std::string>>();
    std::vector<std::string> got_toks;
    for (auto id : e.ids) got_toks.push_back(tok.id_to_token(id).value_or("<none>"));
    std::string dec = tok.decode(e.ids, false);
    bool ok = e.ids == ids && e.offsets == offs && got_toks == toks && dec == c["decoded"].get<std::string>();
    if (!ok) {
      ++bad;
      ADD_FAILURE() << file << " text=" << json(text).dump() << "\n expected ids " << show(ids) << "\n      got ids "
                    << show(e.ids) << "\n expected offsets " << json(offs).dump() << "\n      got offsets "
                    << json(e.offsets).dump() << "\n expected decoded " << c["decoded"].dump() << "\n      got decoded "
                    << json(dec).dump();
    }
  }
  return bad;
}

}  // namespace

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, MatchesHfExactly) {
  const json& g = golden()["tokenizers"][GetParam()];
  ASSERT_EQ(g["cases"].size(), 59u);
  EXPECT_EQ(check_tokenizer(GetParam(), g), 0);
}

INSTANTIATE_TEST_SUITE_P(AllSix, Golden,
                         ::testing::Values("olmo_gpt-neox-olmo-dolma-v1_5.tokenizer.json", "olmo2_dolma2.tokenizer.json",
                                           "gpt2.tokenizer.json", "tiny-random-gpt2_vocab1000.tokenizer.json",
                                           "torchtune_tiny_llama3-regex_bpe2000.tokenizer.json",
                                           "torchtune_tiny_qwen2-style_bpe2000.tokenizer.json"),
                         [](const auto& info) {
                           std::string s = info.param.substr(0, info.param.find('.'));
                           for (char& ch : s)
                             if (!isalnum((unsigned char)ch)) ch = '_';
                           return s;
                         });

// The parity check can fail: a deliberately wrong golden (one id changed) is detected.
TEST(Golden, DetectsABrokenExpectation) {
  json g = golden()["tokenizers"]["gpt2.tokenizer.json"];
  g["cases"][0]["ids"][0] = g["cases"][0]["ids"][0].get<uint32_t>() + 1;
  int bad = 0;
  testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter rep(::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    bad = check_tokenizer("gpt2.tokenizer.json", g);
  }
  EXPECT_EQ(bad, 1);
  EXPECT_GE(results.size(), 1);
}
