// libu/text/normalizer.h — tokenizer.json "normalizer": NFC, NFKC, NFD, NFKD, Lowercase,
// Replace, Prepend, Strip, Sequence (and null = no normalizer).
#pragma once
#include <memory>

#include "libu/text/json_util.h"
#include "libu/text/normalized.h"

namespace libu::text {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  // Returns the normalized span (possibly `in` itself when nothing changes).
  virtual Span normalize(const Span& in, Arena& arena) const = 0;
};

// Builds the normalizer described at `j` (nullptr for JSON null).
std::unique_ptr<Normalizer> make_normalizer(const json& j, const JPath& p);

// Normalizes a plain string (used for the content of normalized added tokens).
std::string normalize_string(const Normalizer* n, const std::string& s);

}  // namespace libu::text

namespace libu::text {
class Pattern;
// {"String": "x"} or {"Regex": "x"} at `j` -> Pattern.
Pattern make_pattern(const json& j, const JPath& p);
// Prepends `s` to `in`; the new chars share the first char's alignment (HF `prepend`).
Span prepend(const Span& in, const std::string& s, Arena& arena);
}  // namespace libu::text
