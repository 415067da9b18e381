// libu/text/normalized.h — a view of normalized text that remembers, for each byte, which
// bytes of the original input it came from (HF's NormalizedString alignments).
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace libu::text {

using Range = std::pair<uint32_t, uint32_t>;  // [begin, end) in original bytes

// Owns the text and alignment buffers created while encoding one input.
struct Arena {
  std::deque<std::string> texts;
  std::deque<std::vector<Range>> aligns;
  void clear() { texts.clear(), aligns.clear(); }
};

// A slice of normalized text. `align` holds one original range per byte (all bytes of one
// char share the char's range); nullptr means identity with the original at `base`.
struct Span {
  std::string_view text;
  const Range* align = nullptr;
  uint32_t base = 0;
  int64_t added_id = -1;  // >= 0: this span is one added token

  Span sub(size_t b, size_t e) const {
    return {text.substr(b, e - b), align ? align + b : nullptr, uint32_t(base + b), -1};
  }
  // Original byte range of normalized bytes [b, e), widened to whole chars.
  Range original(size_t b, size_t e) const;
  // Original range of the (whole) char containing byte i.
  Range char_range(size_t i) const;
};

// Builds a transformed span char by char, keeping alignments (HF `transform`).
class SpanBuilder {
 public:
  explicit SpanBuilder(const Span& in) : in_(in) { text_.reserve(in.text.size() + 8); align_.reserve(in.text.size() + 8); }
  void push(char32_t c, Range r);                 // a new char aligned to r
  void copy(size_t b, size_t e);                  // input bytes [b, e) unchanged
  Span finish(Arena& arena);

 private:
  const Span& in_;
  std::string text_;
  std::vector<Range> align_;
};

// Applies HF-style (char, change) transformations to the whole of `in`: change 0 replaces
// the next input char, +1 inserts (aligned like the previous char), -n also removes n
// following input chars.
Span transform(const Span& in, const std::vector<std::pair<char32_t, int>>& changes, Arena& arena);

}  // namespace libu::text
