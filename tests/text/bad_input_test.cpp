// Bad tokenizer.json files and bad input: each error names the file and the JSON key path.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "libu/core/error.h"
#include "libu/text/tokenizer.h"

using namespace libu::text;
using nlohmann::json;

namespace {

// A small valid byte-level BPE: vocab of the bytes of "ab " + merges.
json base() {
  return json::parse(R"({
    "added_tokens": [{"id": 5, "content": "<|endoftext|>", "special": true, "normalized": false}],
    "normalizer": null,
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
    "post_processor": null,
    "decoder": {"type": "ByteLevel"},
    "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "Ġ": 2, "ab": 3, "Ġa": 4, "<|endoftext|>": 5},
              "merges": ["a b", ["Ġ", "a"]]}
  })");
}

// Expects loading `j` to fail with a message containing every needle.
void expect_error(const std::string& text, std::initializer_list<const char*> needles) {
  try {
    Tokenizer::from_json_text(text, "bad.json");
    ADD_FAILURE() << "no error for " << text.substr(0, 200);
  } catch (const libu::Error& e) {
    for (const char* n : needles) EXPECT_NE(e.message().find(n), std::string::npos) << "missing '" << n << "' in: " << e.message();
  }
}

}  // namespace

TEST(BadInput, BaseIsValid) {
  Tokenizer t = Tokenizer::from_json_text(base().dump(), "ok.json");
  EXPECT_EQ(t.encode_ids("ab a"), (std::vector<uint32_t>{3, 4}));
  EXPECT_EQ(t.decode({3, 4, 5}, true), "ab a");
}

TEST(BadInput, MalformedJson) { expect_error(R"({"model": {"type": "BPE", )", {"bad.json", "malformed JSON"}); }

TEST(BadInput, UnknownNormalizer) {
  json j = base();
  j["normalizer"] = {{"type", "Sequence"}, {"normalizers", {{{"type", "NFC"}}, {{"type", "Klingon"}}}}};
  expect_error(j.dump(), {"bad.json", "normalizer.normalizers[1].type", "unknown normalizer type 'Klingon'"});
}

TEST(BadInput, UnknownPreTokenizer) {
  json j = base();
  j["pre_tokenizer"] = {{"type", "Sequence"}, {"pretokenizers", {{{"type", "Nope"}}}}};
  expect_error(j.dump(), {"pre_tokenizer.pretokenizers[0].type", "unknown pre_tokenizer type 'Nope'"});
}

TEST(BadInput, UnknownModel) {
  json j = base();
  j["model"]["type"] = "Unigram";
  expect_error(j.dump(), {"model.type", "unknown model type 'Unigram'"});
}

TEST(BadInput, UnknownDecoder) {
  json j = base();
  j["decoder"] = {{"type", "Sequence"}, {"decoders", {{{"type", "ByteLevel"}}, {{"type", "Mystery"}}}}};
  expect_error(j.dump(), {"decoder.decoders[1].type", "unknown decoder type 'Mystery'"});
}

TEST(BadInput, UnknownPostProcessor) {
  json j = base();
  j["post_processor"] = {{"type", "Weird"}};
  expect_error(j.dump(), {"post_processor.type", "unknown post_processor type 'Weird'"});
}

TEST(BadInput, MergeNamesUnknownToken) {
  json j = base();
  j["model"]["merges"][1] = {"Ġ", "zz"};
  expect_error(j.dump(), {"model.merges[1]", "'zz'", "not in the vocab"});
  j = base();
  j["model"]["merges"][0] = "a q";
  expect_error(j.dump(), {"model.merges[0]", "'q'"});
}

TEST(BadInput, MissingKeysAndBadRegex) {
  json j = base();
  j["model"].erase("vocab");
  expect_error(j.dump(), {"model.vocab", "missing key"});
  j = base();
  j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}};
  expect_error(j.dump(), {"pre_tokenizer.pattern.Regex", "invalid regex"});
  j = base();
  j["added_tokens"][0]["id"] = "five";
  expect_error(j.dump(), {"added_tokens[0].id", "expected an integer"});
}

// Invalid UTF-8 is repaired like Rust's from_utf8_lossy: each maximal ill-formed
// subsequence becomes one U+FFFD, then encoded normally (docs/tokenizer.md).
TEST(BadInput, InvalidUtf8IsReplaced) {
  json j = base();
  // add the 3 byte-level chars of U+FFFD (EF BF BD -> "ï¿½")
  j["model"]["vocab"]["ï"] = 6, j["model"]["vocab"]["¿"] = 7, j["model"]["vocab"]["½"] = 8;
  Tokenizer t = Tokenizer::from_json_text(j.dump(), "t.json");
  std::vector<uint32_t> fffd{6, 7, 8};
  EXPECT_EQ(t.encode_ids("\xff"), fffd);
  EXPECT_EQ(t.encode_ids("\xed\xa0\x80"), (std::vector<uint32_t>{6, 7, 8, 6, 7, 8, 6, 7, 8}));  // surrogate: 3
  EXPECT_EQ(t.encode_ids("\xe2\x82"), fffd);  // truncated sequence: 1
  Encoding e = t.encode("ab\xc0");
  EXPECT_EQ(e.ids, (std::vector<uint32_t>{3, 6, 7, 8}));
  EXPECT_EQ(e.offsets.back(), (std::pair<uint32_t, uint32_t>{2, 3}));
  EXPECT_EQ(t.decode({3, 6, 7, 8}), "ab\xEF\xBF\xBD");
  EXPECT_EQ(t.decode({6, 7}), "\xEF\xBF\xBD");  // an incomplete sequence decodes to U+FFFD too
}
