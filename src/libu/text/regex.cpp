#define PCRE2_CODE_UNIT_WIDTH 8
#include "libu/text/regex.h"

#include <pcre2.h>

#include "libu/core/error.h"
#include "libu/text/unicode.h"

namespace libu::text {

struct Pattern::Code {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Code() { pcre2_code_free(code); }
};

// Per-thread match data and JIT stack (PCRE2 objects are not shareable across threads).
struct MatchScratch {
  pcre2_match_data* md = pcre2_match_data_create(1, nullptr);
  pcre2_jit_stack* stack = pcre2_jit_stack_create(32 * 1024, 4 * 1024 * 1024, nullptr);
  pcre2_match_context* ctx = pcre2_match_context_create(nullptr);
  MatchScratch() { pcre2_jit_stack_assign(ctx, nullptr, stack); }
  ~MatchScratch() {
    pcre2_match_data_free(md);
    pcre2_match_context_free(ctx);
    pcre2_jit_stack_free(stack);
  }
};

std::string onig_to_pcre2(const std::string& re) {
  static const char* kSpaceExtra = "\\x{85}";
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '\\' && i + 1 < re.size()) {
      char n = re[++i];
      if (n == 's') out += in_class ? cat("\\s", kSpaceExtra) : cat("[\\s", kSpaceExtra, "]");
      else if (n == 'S' && !in_class) out += cat("[^\\s", kSpaceExtra, "]");
      else out += c, out += n;
      continue;
    }
    if (c == '[' && !in_class) in_class = true;
    else if (c == ']' && in_class && out.back() != '[' && !(out.size() >= 2 && out.substr(out.size() - 2) == "[^")) in_class = false;
    out += c;
  }
  return out;
}

Pattern Pattern::literal(std::string s) {
  Pattern p;
  p.source_ = std::move(s);
  return p;
}

Pattern Pattern::regex(const std::string& re, const std::string& where) {
  Pattern p;
  p.source_ = re;
  std::string pc = onig_to_pcre2(re);
  int err = 0;
  PCRE2_SIZE off = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pc.data()), pc.size(),
                                   PCRE2_UTF | PCRE2_UCP, &err, &off, nullptr);
  if (!code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    fail(cat(where, ": invalid regex at offset ", off, ": ", reinterpret_cast<char*>(buf), " (pattern ", re, ")"));
  }
  p.code_ = std::make_shared<Code>();
  p.code_->code = code;
  p.code_->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
  return p;
}

void Pattern::for_each_match(std::string_view text, const std::function<void(size_t, size_t)>& f) const {
  if (!code_) {  // literal
    if (source_.empty()) return;
    for (size_t p = text.find(source_); p != std::string_view::npos; p = text.find(source_, p + source_.size()))
      f(p, p + source_.size());
    return;
  }
  thread_local MatchScratch scratch;
  auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t start = 0;
  long last_end = -1;
  while (start <= text.size()) {
    int rc = code_->jit ? pcre2_jit_match(code_->code, subject, text.size(), start, 0, scratch.md, scratch.ctx)
                        : pcre2_match(code_->code, subject, text.size(), start, PCRE2_NO_UTF_CHECK, scratch.md, scratch.ctx);
    if (rc == PCRE2_ERROR_NOMATCH) return;
    if (rc < 0) fail(cat("regex match failed (PCRE2 error ", rc, ") for pattern ", source_));
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(scratch.md);
    size_t b = ov[0], e = ov[1];
    if (b == e && long(e) == last_end) {  // Oniguruma: skip an empty match right after a match
      start += start < text.size() ? utf8_len((unsigned char)text[start]) : 1;
      continue;
    }
    f(b, e);
    last_end = long(e);
    start = e;
  }
}

}  // namespace libu::text
