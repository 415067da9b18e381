#include "libu/text/normalized.h"

#include "libu/text/unicode.h"

namespace libu::text {

Range Span::char_range(size_t i) const {
  if (align) return align[i];
  size_t b = i;
  while (b > 0 && is_cont((unsigned char)text[b])) --b;
  size_t e = b + utf8_len((unsigned char)text[b]);
  return {uint32_t(base + b), uint32_t(base + e)};
}

Range Span::original(size_t b, size_t e) const {
  if (b >= e) {  // empty: a point at the start of byte b
    uint32_t p = b < text.size() ? char_range(b).first : (text.empty() ? base : char_range(text.size() - 1).second);
    return {p, p};
  }
  return {char_range(b).first, char_range(e - 1).second};
}

void SpanBuilder::push(char32_t c, Range r) {
  size_t before = text_.size();
  append_utf8(text_, c);
  align_.insert(align_.end(), text_.size() - before, r);
}

void SpanBuilder::copy(size_t b, size_t e) {
  text_.append(in_.text.data() + b, e - b);
  if (in_.align) {
    align_.insert(align_.end(), in_.align + b, in_.align + e);
  } else {
    for (size_t i = b; i < e;) {
      size_t n = utf8_len((unsigned char)in_.text[i]);
      align_.insert(align_.end(), n, Range{uint32_t(in_.base + i), uint32_t(in_.base + i + n)});
      i += n;
    }
  }
}

Span SpanBuilder::finish(Arena& arena) {
  arena.texts.push_back(std::move(text_));
  arena.aligns.push_back(std::move(align_));
  return {arena.texts.back(), arena.aligns.back().data(), in_.base, in_.added_id};
}

Span transform(const Span& in, const std::vector<std::pair<char32_t, int>>& changes, Arena& arena) {
  SpanBuilder out(in);
  size_t pos = 0;  // next input byte to consume
  auto skip_char = [&] {
    if (pos < in.text.size()) pos += utf8_len((unsigned char)in.text[pos]);
  };
  for (auto [c, change] : changes) {
    Range r;
    if (change > 0) {
      r = pos > 0 ? in.char_range(pos - 1) : Range{in.base, in.base};
    } else {
      r = pos < in.text.size() ? in.char_range(pos) : in.original(pos, pos);
      skip_char();
      for (int k = 0; k < -change; ++k) skip_char();
    }
    out.push(c, r);
  }
  return out.finish(arena);
}

}  // namespace libu::text
