#include "libu/text/unicode.h"

#include <utf8proc.h>

namespace libu::text {

char32_t next_cp(std::string_view s, size_t& i) {
  unsigned char b = s[i];
  if (b < 0x80) return ++i, b;
  size_t n = utf8_len(b);
  char32_t cp = b & (0x7F >> n);
  for (size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
  i += n;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

size_t count_chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char b : s) n += !is_cont(b);
  return n;
}

// Length of the well-formed sequence at s[i], or the length of its maximal ill-formed
// prefix (>= 1) negated. Follows Unicode table 3-7 (well-formed byte sequences).
static long seq_at(std::string_view s, size_t i) {
  unsigned char b = s[i];
  if (b < 0x80) return 1;
  int n;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) n = 2;
  else if (b >= 0xE0 && b <= 0xEF) n = 3, lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
  else if (b >= 0xF0 && b <= 0xF4) n = 4, lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
  else return -1;
  for (int k = 1; k < n; ++k) {
    if (i + k >= s.size()) return -k;
    unsigned char c = s[i + k];
    if (k == 1 ? (c < lo || c > hi) : !is_cont(c)) return -k;
  }
  return n;
}

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if ((unsigned char)s[i] < 0x80) { ++i; continue; }
    long n = seq_at(s, i);
    if (n < 0) return false;
    i += size_t(n);
  }
  return true;
}

std::string utf8_lossy(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    long n = seq_at(s, i);
    if (n > 0) {
      out.append(s.data() + i, size_t(n));
      i += size_t(n);
    } else {
      out += "\xEF\xBF\xBD";
      i += size_t(-n);
    }
  }
  return out;
}

bool is_whitespace(char32_t c) {
  switch (c) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

bool is_numeric(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  auto cat = utf8proc_category(utf8proc_int32_t(c));
  return cat == UTF8PROC_CATEGORY_ND || cat == UTF8PROC_CATEGORY_NL || cat == UTF8PROC_CATEGORY_NO;
}

bool is_alphanumeric(char32_t c) {
  if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? true : (c >= '0' && c <= '9');
  auto cat = utf8proc_category(utf8proc_int32_t(c));
  return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) || is_numeric(c);
}

char32_t to_lower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  return char32_t(utf8proc_tolower(utf8proc_int32_t(c)));
}

// GPT-2's bytes_to_unicode: printable Latin-1 bytes map to themselves, the other 68 bytes
// map to U+0100.. in byte order.
static std::array<char32_t, 256> make_byte_table() {
  std::array<char32_t, 256> t{};
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    t[size_t(b)] = printable ? char32_t(b) : next++;
  }
  return t;
}

const std::array<char32_t, 256>& byte_to_char() {
  static const std::array<char32_t, 256> t = make_byte_table();
  return t;
}

int char_to_byte(char32_t c) {
  static const std::array<int16_t, 324> inv = [] {
    std::array<int16_t, 324> a{};
    a.fill(-1);
    for (int b = 0; b < 256; ++b) a[byte_to_char()[size_t(b)]] = int16_t(b);
    return a;
  }();
  return c < inv.size() ? inv[c] : -1;
}

std::string bytes_to_level(std::string_view raw) {
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char b : raw) append_utf8(out, byte_to_char()[b]);
  return out;
}

bool level_to_bytes(std::string_view level, std::string& raw) {
  raw.clear();
  for (size_t i = 0; i < level.size();) {
    int b = char_to_byte(next_cp(level, i));
    if (b < 0) return false;
    raw += char(b);
  }
  return true;
}

}  // namespace libu::text
