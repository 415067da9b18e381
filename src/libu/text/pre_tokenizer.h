// libu/text/pre_tokenizer.h — tokenizer.json "pre_tokenizer": ByteLevel, Split, Digits,
// Whitespace, WhitespaceSplit, Metaspace, Sequence. Each splits spans into smaller spans.
#pragma once
#include <memory>
#include <vector>

#include "libu/text/json_util.h"
#include "libu/text/normalized.h"

namespace libu::text {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Replaces `pieces` by their pre-tokenized sub-pieces (empty pieces are dropped).
  virtual void split(std::vector<Span>& pieces, Arena& arena) const = 0;
  // True when the model sees GPT-2 byte-level text (a ByteLevel step comes last).
  virtual bool byte_level() const { return false; }
};

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json& j, const JPath& p);

// The GPT-2 pre-tokenization regex used by ByteLevel (`use_regex`).
extern const char* const kGpt2Regex;

}  // namespace libu::text
