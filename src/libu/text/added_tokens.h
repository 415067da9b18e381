// libu/text/added_tokens.h — tokenizer.json "added_tokens": special and non-special tokens
// matched before the normal pipeline (HF AddedVocabulary): leftmost-longest, with
// single_word, lstrip, rstrip; `normalized` tokens are matched on normalized text.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "libu/text/json_util.h"
#include "libu/text/normalized.h"

namespace libu::text {

class Normalizer;

struct AddedToken {
  uint32_t id = 0;
  std::string content;
  bool single_word = false, lstrip = false, rstrip = false, normalized = true, special = false;
};

class AddedTokens {
 public:
  AddedTokens() = default;
  AddedTokens(const json& arr, const JPath& p, const Normalizer* normalizer);

  // Splits each non-token span of `pieces` around matches of the raw (normalized=false)
  // or the normalized (normalized=true) tokens. Matched spans get added_id set.
  void split(std::vector<Span>& pieces, bool normalized) const;
  bool empty() const { return tokens_.empty(); }
  const AddedToken* by_id(uint32_t id) const;
  std::optional<uint32_t> by_content(const std::string& s) const;
  const std::vector<AddedToken>& all() const { return tokens_; }

 private:
  // A byte trie of the token patterns; the root has a 256-way table.
  struct Matcher {
    struct Node {
      std::vector<std::pair<unsigned char, uint32_t>> next;
      long token = -1;  // token index when a pattern ends here
    };
    std::vector<Node> nodes;
    uint32_t root[256] = {};  // 0 = no pattern starts with this byte
    bool any = false;
  };
  void build(Matcher& m, bool normalized, const Normalizer* normalizer);
  // Leftmost-longest match starting at or after `from`: (begin, end, token index).
  bool find(const Matcher& m, std::string_view t, size_t from, size_t& b, size_t& e, size_t& tok) const;
  void split_one(const Span& s, const Matcher& m, std::vector<Span>& out) const;

  std::vector<AddedToken> tokens_;
  std::unordered_map<uint32_t, size_t> by_id_;
  std::unordered_map<std::string, uint32_t> by_content_;
  Matcher raw_, norm_;
};

}  // namespace libu::text
