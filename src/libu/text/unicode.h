// libu/text/unicode.h — UTF-8 helpers shared by the tokenizer stages: decoding, validation,
// HF-style lossy repair, Unicode properties (utf8proc) and the GPT-2 byte-level alphabet.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace libu::text {

// Length of the UTF-8 sequence announced by lead byte b (1 for continuation/invalid bytes).
inline size_t utf8_len(unsigned char b) {
  return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}
inline bool is_cont(unsigned char b) { return (b & 0xC0) == 0x80; }

// Decodes the code point at s[i] (s must be valid UTF-8) and advances i.
char32_t next_cp(std::string_view s, size_t& i);
void append_utf8(std::string& out, char32_t cp);
size_t count_chars(std::string_view s);

// True when s is well-formed UTF-8 (no overlongs, surrogates or values > U+10FFFF).
bool valid_utf8(std::string_view s);
// Replaces every maximal ill-formed subsequence with U+FFFD, as Rust's
// String::from_utf8_lossy (and Python's errors="replace") do.
std::string utf8_lossy(std::string_view s);

// Unicode properties (utf8proc).
bool is_whitespace(char32_t c);    // White_Space, as Rust char::is_whitespace
bool is_alphanumeric(char32_t c);  // Rust char::is_alphanumeric (L* or N*)
bool is_numeric(char32_t c);       // Rust char::is_numeric (N*)
char32_t to_lower(char32_t c);

// GPT-2 byte-level alphabet: each byte maps to one printable code point.
const std::array<char32_t, 256>& byte_to_char();
// Inverse map; returns -1 for code points outside the alphabet.
int char_to_byte(char32_t c);
// Encodes raw bytes as byte-level text ("Ġ" for a space, ...).
std::string bytes_to_level(std::string_view raw);
// Decodes byte-level text to raw bytes; false when a char is outside the alphabet.
bool level_to_bytes(std::string_view level, std::string& raw);

}  // namespace libu::text
