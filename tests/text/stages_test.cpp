// Unit tests of each pipeline stage against HF semantics (hand-derived expectations).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "libu/text/decoder.h"
#include "libu/text/normalizer.h"
#include "libu/text/pre_tokenizer.h"
#include "libu/text/tokenizer.h"

using namespace libu::text;
using nlohmann::json;

namespace {

const JPath kP{"test.json", "x"};

std::vector<std::string> pretok(const json& j, const std::string& text) {
  auto pt = make_pre_tokenizer(j, kP);
  Arena arena;
  std::vector<Span> v{Span{text}};
  pt->split(v, arena);
  std::vector<std::string> out;
  for (auto& s : v) out.emplace_back(s.text);
  return out;
}

std::vector<std::string> split(const char* behavior, bool invert = false) {
  return pretok({{"type", "Split"}, {"pattern", {{"String", "-"}}}, {"behavior", behavior}, {"invert", invert}}, "a-b--c");
}

using V = std::vector<std::string>;

}  // namespace

TEST(PreTokenizer, SplitBehaviors) {
  EXPECT_EQ(split("Removed"), (V{"a", "b", "c"}));
  EXPECT_EQ(split("Isolated"), (V{"a", "-", "b", "-", "-", "c"}));
  EXPECT_EQ(split("MergedWithPrevious"), (V{"a-", "b-", "-", "c"}));
  EXPECT_EQ(split("MergedWithNext"), (V{"a", "-b", "-", "-c"}));
  EXPECT_EQ(split("Contiguous"), (V{"a", "-", "b", "--", "c"}));
  EXPECT_EQ(split("Removed", true), (V{"-", "-", "-"}));
}

TEST(PreTokenizer, DigitsWhitespaceMetaspace) {
  EXPECT_EQ(pretok({{"type", "Digits"}, {"individual_digits", true}}, "a12b3"), (V{"a", "1", "2", "b", "3"}));
  EXPECT_EQ(pretok({{"type", "Digits"}, {"individual_digits", false}}, "a12b3"), (V{"a", "12", "b", "3"}));
  EXPECT_EQ(pretok({{"type", "WhitespaceSplit"}}, "  hi  there\n"), (V{"hi", "there"}));
  EXPECT_EQ(pretok({{"type", "Whitespace"}}, "Hi, there!"), (V{"Hi", ",", "there", "!"}));
  EXPECT_EQ(pretok({{"type", "Metaspace"}, {"replacement", "▁"}, {"prepend_scheme", "always"}, {"split", true}}, "Hey friend"),
            (V{"▁Hey", "▁friend"}));
  EXPECT_EQ(pretok({{"type", "Metaspace"}, {"replacement", "▁"}, {"prepend_scheme", "never"}, {"split", false}}, "a b"),
            (V{"a▁b"}));
  EXPECT_EQ(pretok({{"type", "ByteLevel"}, {"add_prefix_space", true}}, "Hi  you"), (V{" Hi", " ", " you"}));
  // cl100k-style regex with lookahead, possessive-free, case-insensitive group
  json llama3 = {{"type", "Split"},
                 {"pattern", {{"Regex", R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"}}},
                 {"behavior", "Isolated"}};
  EXPECT_EQ(pretok(llama3, "SHE'LL pay 12345!!\n\n  ok"), (V{"SHE", "'LL", " pay", " ", "123", "45", "!!\n\n", " ", " ok"}));
}

TEST(Normalizer, AlignmentsFollowHf) {
  Arena arena;
  auto norm = [&](const json& j, const std::string& s, std::vector<Range>* al = nullptr) {
    auto n = make_normalizer(j, kP);
    static std::string keep;
    keep = s;
    Span out = n->normalize(Span{keep}, arena);
    if (al)
      for (size_t i = 0; i < out.text.size(); ++i) al->push_back(out.char_range(i));
    return std::string(out.text);
  };
  EXPECT_EQ(norm({{"type", "Lowercase"}}, "ÀB"), "àb");
  std::vector<Range> al;
  EXPECT_EQ(norm({{"type", "NFD"}}, "\xC3\xA9", &al), "e\xCC\x81");  // é -> e + U+0301
  EXPECT_EQ(al, (std::vector<Range>{{0, 2}, {0, 2}, {0, 2}}));
  al.clear();
  EXPECT_EQ(norm({{"type", "NFKC"}}, "x\xEF\xAC\x81", &al), "xfi");  // U+FB01 ligature
  EXPECT_EQ(al, (std::vector<Range>{{0, 1}, {1, 4}, {1, 4}}));
  al.clear();
  EXPECT_EQ(norm({{"type", "NFC"}}, "e\xCC\x81x", &al), "\xC3\xA9x");  // composed char keeps the first
  EXPECT_EQ(al, (std::vector<Range>{{0, 1}, {0, 1}, {3, 4}}));
  al.clear();
  EXPECT_EQ(norm({{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}}, "  x \n", &al), "x");
  EXPECT_EQ(al, (std::vector<Range>{{2, 3}}));
  json seq = {{"type", "Sequence"},
              {"normalizers", {{{"type", "Prepend"}, {"prepend", "▁"}}, {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "▁"}}}}};
  al.clear();
  EXPECT_EQ(norm(seq, "a b", &al), "▁a▁b");
  EXPECT_EQ(al.front(), (Range{0, 1}));  // prepended char shares the first char's range
  EXPECT_EQ(al[4], (Range{1, 2}));        // replacement aligned to the replaced space
}

TEST(Decoder, Chains) {
  auto dec = [](const json& j, std::vector<std::string> toks) {
    make_decoder(j, kP)->decode_chain(toks);
    std::string s;
    for (auto& t : toks) s += t;
    return s;
  };
  json llama = {{"type", "Sequence"},
                {"decoders", {{{"type", "Replace"}, {"pattern", {{"String", "▁"}}}, {"content", " "}},
                              {{"type", "ByteFallback"}},
                              {{"type", "Fuse"}},
                              {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}};
  EXPECT_EQ(dec(llama, {"▁hi", "▁", "<0xC3>", "<0xA9>"}), "hi é");
  EXPECT_EQ(dec(llama, {"▁a", "<0xC3>", "▁b"}), "a\xEF\xBF\xBD b");  // invalid byte run -> U+FFFD
  EXPECT_EQ(dec({{"type", "Metaspace"}, {"replacement", "▁"}, {"prepend_scheme", "always"}}, {"▁Hey", "▁you"}), "Hey you");
  EXPECT_EQ(dec({{"type", "ByteLevel"}}, {"Hello", "Ġw", "orld", "<|endoftext|>"}), "Hello world<|endoftext|>");
  EXPECT_EQ(clean_up_tokenization("Hello , world . I do n't know ? it 's"), "Hello, world. I don't know? it's");
}

namespace {

// A Llama-2 style tokenizer: Prepend/Replace normalizer, byte_fallback, unk, template.
Tokenizer llama_like() {
  json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}, {"▁", 3}, {"h", 4}, {"i", 5}, {"▁h", 6}, {"▁hi", 7},
                {"<0xC3>", 8}, {"<0xA9>", 9}, {"x", 10}};
  json j = {
      {"added_tokens", {{{"id", 0}, {"content", "<unk>"}, {"special", true}},
                        {{"id", 1}, {"content", "<s>"}, {"special", true}},
                        {{"id", 2}, {"content", "</s>"}, {"special", true}}}},
      {"normalizer", {{"type", "Sequence"},
                      {"normalizers", {{{"type", "Prepend"}, {"prepend", "▁"}},
                                       {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "▁"}}}}}},
      {"pre_tokenizer", nullptr},
      {"post_processor", {{"type", "TemplateProcessing"},
                          {"single", {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
                          {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}}},
      {"decoder", {{"type", "Sequence"},
                   {"decoders", {{{"type", "Replace"}, {"pattern", {{"String", "▁"}}}, {"content", " "}},
                                 {{"type", "ByteFallback"}}, {{"type", "Fuse"}},
                                 {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}}},
      {"model", {{"type", "BPE"}, {"unk_token", "<unk>"}, {"fuse_unk", true}, {"byte_fallback", true},
                 {"vocab", vocab}, {"merges", {"▁ h", "▁h i"}}}}};
  return Tokenizer::from_json_text(j.dump(), "llama_like.json");
}

}  // namespace

TEST(Tokenizer, ByteFallbackUnkTemplate) {
  Tokenizer t = llama_like();
  Encoding e = t.encode("hi é", true);
  EXPECT_EQ(e.ids, (std::vector<uint32_t>{1, 7, 3, 8, 9}));
  EXPECT_EQ(e.offsets, (std::vector<std::pair<uint32_t, uint32_t>>{{0, 0}, {0, 2}, {2, 3}, {3, 4}, {3, 4}}));
  EXPECT_EQ(t.encode_ids("hi é", false), (std::vector<uint32_t>{7, 3, 8, 9}));
  EXPECT_EQ(t.decode({1, 7, 3, 8, 9}, true), "hi é");
  EXPECT_EQ(t.decode({1, 7}, false), "<s> hi");  // HF: Strip only cuts the first char if it is a space
  // 'z' and 'q' have no token and no byte token: one fused <unk>
  EXPECT_EQ(t.encode_ids("zq"), (std::vector<uint32_t>{3, 0}));
  EXPECT_EQ(t.bos_id(), std::optional<uint32_t>(1));
  EXPECT_EQ(t.eos_id(), std::optional<uint32_t>(2));
}

TEST(Tokenizer, AddedTokenFlags) {
  json j = {{"added_tokens", {{{"id", 10}, {"content", "ab"}, {"single_word", true}, {"normalized", false}},
                              {{"id", 11}, {"content", "<m>"}, {"lstrip", true}, {"rstrip", true}, {"normalized", false}}}},
            {"pre_tokenizer", {{"type", "WhitespaceSplit"}}},
            {"model", {{"type", "BPE"}, {"unk_token", "?"}, {"vocab", {{"?", 0}, {"a", 1}, {"b", 2}, {"c", 3}, {"x", 4}}}, {"merges", json::array()}}}};
  Tokenizer t = Tokenizer::from_json_text(j.dump(), "flags.json");
  EXPECT_EQ(t.encode_ids("ab cab"), (std::vector<uint32_t>{10, 3, 1, 2}));  // single_word: "cab" is not split
  Encoding e = t.encode("x <m> c");
  EXPECT_EQ(e.ids, (std::vector<uint32_t>{4, 11, 3}));
  EXPECT_EQ(e.offsets[1], (std::pair<uint32_t, uint32_t>{1, 6}));  // lstrip + rstrip take the spaces
}

TEST(Tokenizer, SubwordPrefixSuffixIgnoreMerges) {
  json j = {{"pre_tokenizer", {{"type", "WhitespaceSplit"}}},
            {"model", {{"type", "BPE"}, {"continuing_subword_prefix", "##"}, {"end_of_word_suffix", "</w>"},
                       {"vocab", {{"a", 0}, {"##b", 1}, {"##c</w>", 2}, {"a##b", 3}, {"ab", 4}, {"c</w>", 5}}},
                       {"merges", {"a ##b"}}}}};
  Tokenizer t = Tokenizer::from_json_text(j.dump(), "p.json");
  EXPECT_EQ(t.encode_ids("abc c"), (std::vector<uint32_t>{4, 2, 5}));
  json k = json::parse(R"({"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false},
    "model": {"type": "BPE", "ignore_merges": true, "vocab": {"a": 0, "b": 1, "c": 2, "bc": 3, "abc": 4},
              "merges": ["b c"]}})");
  EXPECT_EQ(Tokenizer::from_json_text(k.dump(), "i.json").encode_ids("abc"), (std::vector<uint32_t>{4}));
  k["model"]["ignore_merges"] = false;
  EXPECT_EQ(Tokenizer::from_json_text(k.dump(), "i.json").encode_ids("abc"), (std::vector<uint32_t>{0, 3}));
}
