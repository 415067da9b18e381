// libu/text/bpe.h — the BPE model of tokenizer.json: vocab, merges ("a b" strings or
// ["a","b"] pairs), ignore_merges, byte_fallback, unk_token (+ fuse_unk),
// continuing_subword_prefix, end_of_word_suffix, and a per-thread word cache.
//
// In byte-level mode (the pre-tokenizer ends with ByteLevel) the vocab is stored as raw
// bytes, so words are tokenized straight from UTF-8 bytes without building the
// "Ġ"-alphabet string; offsets reproduce HF's, including its drift when chars are dropped.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "libu/text/json_util.h"

namespace libu::text {

class Bpe {
 public:
  struct Tok {
    uint32_t id;
    uint32_t b, e;  // byte range inside the word (HF's positions, see above)
  };
  // model: the "model" object; byte_level: see above.
  Bpe(const json& model, const JPath& p, bool byte_level);

  // Appends the tokens of one pre-tokenized word.
  void tokenize(std::string_view word, std::vector<Tok>& out) const;
  std::optional<uint32_t> token_to_id(const std::string& token) const;
  const std::string* id_to_token(uint32_t id) const;
  size_t vocab_size() const { return vocab_.size(); }
  const std::unordered_map<std::string, uint32_t>& vocab() const { return vocab_; }

 private:
  struct Sym {
    uint32_t id;
    uint32_t lvl;  // length in HF's units (bytes of the model's string)
    uint32_t raw;  // length in input bytes
  };
  void load_vocab(const json& v, const JPath& p);
  void load_merges(const json& m, const JPath& p);
  uint64_t merge(uint32_t a, uint32_t b) const;  // (rank << 32 | new id), or ~0 when none
  bool initial_symbols(std::string_view word, std::vector<Sym>& syms) const;
  void merge_small(std::vector<Sym>& w) const;
  void merge_large(std::vector<Sym>& w) const;
  void tokenize_uncached(std::string_view word, std::vector<Tok>& out) const;
  void to_toks(std::string_view word, const std::vector<Sym>& syms, bool drift, std::vector<Tok>& out) const;
  std::optional<uint32_t> lookup(const std::string& key) const;  // model-space key

  bool byte_level_;
  std::unordered_map<std::string, uint32_t> vocab_;  // HF token strings
  std::unordered_map<std::string, uint32_t> model_vocab_;  // raw bytes in byte-level mode
  std::vector<std::string> id_to_token_;
  std::vector<uint8_t> has_id_;
  int32_t byte_id_[256];  // byte-level fast path: raw byte -> id (-1 absent)
  bool simple_bytes_ = false;
  // merges: open addressing on the packed pair
  std::vector<uint64_t> mkeys_, mvals_;
  uint64_t mmask_ = 0;
  std::optional<std::string> unk_, prefix_, suffix_;  // model space
  bool fuse_unk_ = false, byte_fallback_ = false, ignore_merges_ = false;
  uint64_t instance_;  // identifies this model in the per-thread cache
};

}  // namespace libu::text
