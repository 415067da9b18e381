#include "libu/text/normalizer.h"

#include <utf8proc.h>

#include <vector>

#include "libu/text/regex.h"
#include "libu/text/unicode.h"

namespace libu::text {
namespace {

using Changes = std::vector<std::pair<char32_t, int>>;

int ccc(char32_t c) { return utf8proc_get_property(utf8proc_int32_t(c))->combining_class; }

// The primary composite of (a, b), or 0 when they do not compose.
char32_t compose_pair(char32_t a, char32_t b) {
  utf8proc_int32_t buf[2] = {utf8proc_int32_t(a), utf8proc_int32_t(b)};
  return utf8proc_normalize_utf32(buf, 2, UTF8PROC_COMPOSE) == 1 ? char32_t(buf[0]) : 0;
}

// Unicode normalization that also reports HF's per-char `change` (as the
// unicode-normalization-alignments crate): decomposed extra chars are +1, each
// composition subtracts 1.
Changes normalize_with_changes(std::string_view s, bool compat, bool compose) {
  Changes out;
  utf8proc_int32_t buf[32];
  auto opts = utf8proc_option_t(UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0));
  for (size_t i = 0; i < s.size();) {
    char32_t c = next_cp(s, i);
    int last = 0;
    auto n = utf8proc_decompose_char(utf8proc_int32_t(c), buf, 32, opts, &last);
    if (n <= 0 || n > 32) n = 1, buf[0] = utf8proc_int32_t(c);
    for (int k = 0; k < n; ++k) out.push_back({char32_t(buf[k]), k > 0 ? 1 : 0});
  }
  // Canonical ordering: stable insertion sort of each run of non-starters by class.
  for (size_t i = 1; i < out.size(); ++i)
    for (size_t j = i; j > 0 && ccc(out[j].first) && ccc(out[j - 1].first) > ccc(out[j].first); --j)
      std::swap(out[j], out[j - 1]);
  if (!compose) return out;
  Changes res;
  long starter = -1;
  int max_ccc = -1;
  for (auto& [c, ch] : out) {
    int cc = ccc(c);
    if (starter >= 0 && cc > max_ccc) {
      if (char32_t comp = compose_pair(res[size_t(starter)].first, c)) {
        res[size_t(starter)].first = comp;
        res[size_t(starter)].second += ch - 1;
        continue;
      }
    }
    res.push_back({c, ch});
    if (cc) max_ccc = std::max(max_ccc, cc);
    else starter = long(res.size() - 1), max_ccc = -1;
  }
  return res;
}

class UnicodeNorm : public Normalizer {
 public:
  UnicodeNorm(bool compat, bool compose) : compat_(compat), compose_(compose) {}
  Span normalize(const Span& in, Arena& arena) const override {
    if (unchanged(in.text)) return in;
    return transform(in, normalize_with_changes(in.text, compat_, compose_), arena);
  }

 private:
  // Fast check: text made of chars below U+0300 (NFC/NFKC) or ASCII (NFD/NFKD) is stable;
  // otherwise compare with utf8proc's own normalization.
  bool unchanged(std::string_view t) const {
    unsigned char limit = (compose_ && !compat_) ? 0xCC : 0x80;
    bool simple = true;
    for (unsigned char b : t)
      if (b >= limit) { simple = false; break; }
    if (simple) return true;
    auto opts = utf8proc_option_t(UTF8PROC_STABLE | (compose_ ? UTF8PROC_COMPOSE : UTF8PROC_DECOMPOSE) |
                                  (compat_ ? UTF8PROC_COMPAT : 0));
    utf8proc_uint8_t* dst = nullptr;
    auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(t.data()), utf8proc_ssize_t(t.size()), &dst, opts);
    bool same = n >= 0 && size_t(n) == t.size() && std::string_view(reinterpret_cast<char*>(dst), size_t(n)) == t;
    free(dst);
    return same;
  }
  bool compat_, compose_;
};

class Lowercase : public Normalizer {
 public:
  Span normalize(const Span& in, Arena& arena) const override {
    Changes ch;
    bool changed = false;
    for (size_t i = 0; i < in.text.size();) {
      char32_t c = next_cp(in.text, i), l = to_lower(c);
      changed |= c != l;
      ch.push_back({l, 0});
    }
    return changed ? transform(in, ch, arena) : in;
  }
};

// HF Strip: drops leading/trailing whitespace.
class Strip : public Normalizer {
 public:
  Strip(bool l, bool r) : left_(l), right_(r) {}
  Span normalize(const Span& in, Arena&) const override {
    size_t b = 0, e = in.text.size();
    while (left_ && b < e) {
      size_t i = b;
      if (!is_whitespace(next_cp(in.text, i))) break;
      b = i;
    }
    while (right_ && e > b) {
      size_t s = e - 1;
      while (s > b && is_cont((unsigned char)in.text[s])) --s;
      size_t i = s;
      if (!is_whitespace(next_cp(in.text, i))) break;
      e = s;
    }
    return in.sub(b, e);
  }

 private:
  bool left_, right_;
};

// HF Prepend: the prepended chars share the alignment of the first char.
class Prepend : public Normalizer {
 public:
  explicit Prepend(std::string s) : s_(std::move(s)) {}
  Span normalize(const Span& in, Arena& arena) const override { return prepend(in, s_, arena); }

 private:
  std::string s_;
};

// HF Replace: each match is replaced by `content`, whose chars take the alignment of the
// last char of the match.
class Replace : public Normalizer {
 public:
  Replace(Pattern p, std::string content) : pat_(std::move(p)), content_(std::move(content)) {}
  Span normalize(const Span& in, Arena& arena) const override {
    SpanBuilder b(in);
    size_t last = 0;
    bool any = false;
    pat_.for_each_match(in.text, [&](size_t s, size_t e) {
      if (s == e) return;
      any = true;
      b.copy(last, s);
      Range r = in.char_range(e - 1);
      for (size_t i = 0; i < content_.size();) b.push(next_cp(content_, i), r);
      last = e;
    });
    if (!any) return in;
    b.copy(last, in.text.size());
    return b.finish(arena);
  }

 private:
  Pattern pat_;
  std::string content_;
};

class Sequence : public Normalizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Normalizer>> v) : v_(std::move(v)) {}
  Span normalize(const Span& in, Arena& arena) const override {
    Span s = in;
    for (auto& n : v_) s = n->normalize(s, arena);
    return s;
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> v_;
};

}  // namespace

// {"String": "x"} or {"Regex": "x"} -> Pattern.
Pattern make_pattern(const json& j, const JPath& p) {
  if (j.is_object() && j.contains("String")) return Pattern::literal(jstr(j["String"], p / "String"));
  if (j.is_object() && j.contains("Regex")) {
    JPath rp = p / "Regex";
    return Pattern::regex(jstr(j["Regex"], rp), cat(rp.file, ": ", rp.path));
  }
  p.fail("expected {\"String\": ...} or {\"Regex\": ...}");
}

std::unique_ptr<Normalizer> make_normalizer(const json& j, const JPath& p) {
  if (j.is_null()) return nullptr;
  std::string t = jtype(j, p);
  if (t == "NFC") return std::make_unique<UnicodeNorm>(false, true);
  if (t == "NFKC") return std::make_unique<UnicodeNorm>(true, true);
  if (t == "NFD") return std::make_unique<UnicodeNorm>(false, false);
  if (t == "NFKD") return std::make_unique<UnicodeNorm>(true, false);
  if (t == "Lowercase") return std::make_unique<Lowercase>();
  if (t == "Strip") return std::make_unique<Strip>(jbool(j, "strip_left", true, p), jbool(j, "strip_right", true, p));
  if (t == "Prepend") return std::make_unique<Prepend>(jstr(jreq(j, "prepend", p), p / "prepend"));
  if (t == "Replace")
    return std::make_unique<Replace>(make_pattern(jreq(j, "pattern", p), p / "pattern"),
                                     jstr(jreq(j, "content", p), p / "content"));
  if (t == "Sequence") {
    const json& arr = jreq(j, "normalizers", p);
    if (!arr.is_array()) (p / "normalizers").fail("expected an array");
    std::vector<std::unique_ptr<Normalizer>> v;
    for (size_t i = 0; i < arr.size(); ++i)
      if (auto n = make_normalizer(arr[i], (p / "normalizers")[i])) v.push_back(std::move(n));
    return std::make_unique<Sequence>(std::move(v));
  }
  (p / "type").fail(cat("unknown normalizer type '", t, "'"),
                    "supported: NFC, NFKC, NFD, NFKD, Lowercase, Replace, Prepend, Strip, Sequence");
}

Span prepend(const Span& in, const std::string& s, Arena& arena) {
  if (in.text.empty()) return in;
  SpanBuilder b(in);
  Range r = in.char_range(0);
  for (size_t i = 0; i < s.size();) b.push(next_cp(s, i), r);
  b.copy(0, in.text.size());
  return b.finish(arena);
}

std::string normalize_string(const Normalizer* n, const std::string& s) {
  if (!n) return s;
  Arena arena;
  Span in{s};
  return std::string(n->normalize(in, arena).text);
}

}  // namespace libu::text
