// libu/text/decoder.h — tokenizer.json "decoder": ByteLevel, ByteFallback, Metaspace, Fuse,
// Strip, Replace, Sequence. Each maps a list of token strings to a new list (HF
// decode_chain); the final text is their concatenation.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "libu/text/json_util.h"

namespace libu::text {

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual void decode_chain(std::vector<std::string>& tokens) const = 0;
  virtual bool is_byte_level() const { return false; }
};

std::unique_ptr<Decoder> make_decoder(const json& j, const JPath& p);

// HF ByteLevel decoding of one token: its byte-level chars as bytes, or the token's own
// UTF-8 bytes when some char is outside the byte alphabet (e.g. added tokens).
std::string byte_level_token_bytes(const std::string& token);

// transformers' clean_up_tokenization (as in the SemEval decoding, docs/eval.md):
// " ." -> ".", " n't" -> "n't", ...
std::string clean_up_tokenization(std::string s);

}  // namespace libu::text
