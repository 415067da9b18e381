// libu/text/regex.h — the patterns of tokenizer.json ({"String": ..} or {"Regex": ..}),
// matched with PCRE2 (UTF + UCP, JIT when available).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace libu::text {

class Pattern {
 public:
  // A literal string (matched as is) or a regex in HF's (Oniguruma) syntax. `where`
  // names the JSON key for error messages.
  static Pattern literal(std::string s);
  static Pattern regex(const std::string& re, const std::string& where);
  Pattern() = default;

  // Calls f(begin, end) for each non-overlapping match, left to right, with Oniguruma's
  // rule for empty matches.
  void for_each_match(std::string_view text, const std::function<void(size_t, size_t)>& f) const;
  const std::string& source() const { return source_; }
  bool is_regex() const { return bool(code_); }

 private:
  struct Code;
  std::string source_;
  std::shared_ptr<Code> code_;
};

// Rewrites Oniguruma-only details for PCRE2: Onig's \s (White_Space) also matches U+0085,
// which PCRE2's UCP \s does not.
std::string onig_to_pcre2(const std::string& re);

}  // namespace libu::text
