// libu/eval/pystr.cpp — see pystr.h. The algorithm follows the Unicode standard's
// definitions (Default Case Conversion, SpecialCasing Final_Sigma condition); the data
// tables are generated from Python so the result equals CPython's str.lower()/strip().
#include "libu/eval/pystr.h"

#include "libu/text/unicode.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace libu::eval {
namespace {

#include "libu/eval/unicode_case_tables.inc"

// Decodes one UTF-8 code point at s[i]; on invalid input returns false (one byte consumed).
bool decode(std::string_view s, size_t i, char32_t& cp, size_t& len) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) { cp = b; len = 1; return true; }
  int n = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + size_t(n) > s.size()) { len = 1; return false; }
  char32_t c = b & (0xFF >> (n + 1));
  for (int k = 1; k < n; ++k) {
    auto t = static_cast<unsigned char>(s[i + size_t(k)]);
    if ((t & 0xC0) != 0x80) { len = 1; return false; }
    c = (c << 6) | (t & 0x3F);
  }
  static const char32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kMin[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) { len = 1; return false; }
  cp = c;
  len = size_t(n);
  return true;
}

void encode(char32_t c, std::string& out) { text::append_utf8(out, c); }  // shared UTF-8 writer

template <typename R, size_t N>
bool in_ranges(const R (&table)[N], char32_t cp) {
  auto it = std::upper_bound(std::begin(table), std::end(table), cp,
                             [](char32_t v, const R& r) { return v < r.first; });
  if (it == std::begin(table)) return false;
  --it;
  return cp <= it->last;
}

bool is_cased(char32_t cp) { return in_ranges(kCased, cp); }
bool is_case_ignorable(char32_t cp) { return in_ranges(kCaseIgnorable, cp); }

// Simple lowercase mapping (1:1); U+03A3 and U+0130 are handled by the caller.
char32_t lower_simple(char32_t cp) {
  auto it = std::upper_bound(std::begin(kLowerRuns), std::end(kLowerRuns), cp,
                             [](char32_t v, const LowerRun& r) { return v < r.first; });
  if (it == std::begin(kLowerRuns)) return cp;
  --it;
  if (cp > it->last || (cp - it->first) % char32_t(it->stride) != 0) return cp;
  return char32_t(int64_t(cp) + it->delta);
}

}  // namespace

bool py_isspace(char32_t cp) { return in_ranges(kSpace, cp); }

std::string py_lower(std::string_view s) {
  // Decode once: Final_Sigma needs to look at neighbours.
  std::vector<char32_t> cps;
  std::vector<int> bad;  // raw byte value for invalid bytes (cp slot holds 0xFFFFFFFF)
  cps.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    size_t len = 1;
    if (decode(s, i, cp, len)) {
      cps.push_back(cp);
    } else {
      cps.push_back(char32_t(0x80000000u | static_cast<unsigned char>(s[i])));
    }
    i += len;
  }
  auto valid = [&](size_t k) { return (cps[k] & 0x80000000u) == 0; };
  std::string out;
  out.reserve(s.size());
  for (size_t k = 0; k < cps.size(); ++k) {
    if (!valid(k)) {
      out += char(cps[k] & 0xFF);
      continue;
    }
    char32_t cp = cps[k];
    if (cp < 0x80) {
      out += (cp >= 'A' && cp <= 'Z') ? char(cp + 32) : char(cp);
      continue;
    }
    if (cp == 0x03A3) {
      // Final_Sigma: preceded by a cased letter (skipping case-ignorables) and not
      // followed by a cased letter (skipping case-ignorables).
      bool final_sigma = false;
      size_t j = k;
      while (j > 0 && valid(j - 1) && is_case_ignorable(cps[j - 1])) --j;
      if (j > 0 && valid(j - 1) && is_cased(cps[j - 1])) {
        size_t m = k + 1;
        while (m < cps.size() && valid(m) && is_case_ignorable(cps[m])) ++m;
        final_sigma = !(m < cps.size() && valid(m) && is_cased(cps[m]));
      }
      encode(final_sigma ? 0x03C2 : 0x03C3, out);
      continue;
    }
    bool multi = false;
    for (const auto& m : kLowerMulti)
      if (m.cp == cp) {
        for (int q = 0; q < m.n; ++q) encode(m.out[q], out);
        multi = true;
        break;
      }
    if (!multi) encode(lower_simple(cp), out);
  }
  return out;
}

std::string_view py_strip(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e) {
    char32_t cp;
    size_t len;
    if (!decode(s, b, cp, len) || !py_isspace(cp)) break;
    b += len;
  }
  while (e > b) {
    // step back to the start of the previous code point
    size_t st = e - 1;
    while (st > b && (static_cast<unsigned char>(s[st]) & 0xC0) == 0x80 && e - st < 4) --st;
    char32_t cp;
    size_t len;
    if (!decode(s, st, cp, len) || st + len != e || !py_isspace(cp)) break;
    e = st;
  }
  return s.substr(b, e - b);
}

}  // namespace libu::eval
