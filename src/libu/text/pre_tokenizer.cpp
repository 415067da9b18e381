#include "libu/text/pre_tokenizer.h"

#include "libu/text/normalizer.h"
#include "libu/text/regex.h"
#include "libu/text/unicode.h"

namespace libu::text {

const char* const kGpt2Regex = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {

enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

struct Event {
  size_t b, e;
  bool match;
};

// Turns matches into HF's alternating (range, is_match) list covering all of `len`.
std::vector<Event> events_from_matches(const std::vector<std::pair<size_t, size_t>>& m, size_t len) {
  std::vector<Event> ev;
  size_t prev = 0;
  for (auto [b, e] : m) {
    if (prev != b) ev.push_back({prev, b, false});
    ev.push_back({b, e, true});
    prev = e;
  }
  if (prev != len) ev.push_back({prev, len, false});
  return ev;
}

// HF SplitDelimiterBehavior applied to the events of one span.
void apply_behavior(const Span& s, std::vector<Event> ev, Behavior how, bool invert, std::vector<Span>& out) {
  if (invert)
    for (auto& x : ev) x.match = !x.match;
  std::vector<std::pair<size_t, size_t>> parts;
  bool prev = false;
  switch (how) {
    case Behavior::Removed:
      for (auto& x : ev)
        if (!x.match) parts.push_back({x.b, x.e});
      break;
    case Behavior::Isolated:
      for (auto& x : ev) parts.push_back({x.b, x.e});
      break;
    case Behavior::MergedWithPrevious:
      for (auto& x : ev) {
        if (x.match && !prev && !parts.empty()) parts.back().second = x.e;
        else parts.push_back({x.b, x.e});
        prev = x.match;
      }
      break;
    case Behavior::MergedWithNext:
      for (size_t i = ev.size(); i-- > 0;) {
        auto& x = ev[i];
        if (x.match && !prev && !parts.empty()) parts.back().first = x.b;
        else parts.push_back({x.b, x.e});
        prev = x.match;
      }
      std::reverse(parts.begin(), parts.end());
      break;
    case Behavior::Contiguous:
      for (auto& x : ev) {
        if (x.match == prev && !parts.empty()) parts.back().second = x.e;
        else parts.push_back({x.b, x.e});
        prev = x.match;
      }
      break;
  }
  for (auto [b, e] : parts)
    if (b < e) out.push_back(s.sub(b, e));
}

// Applies f(span, out) to every piece.
template <typename F>
void split_each(std::vector<Span>& pieces, F&& f) {
  std::vector<Span> out;
  out.reserve(pieces.size() * 4);
  for (const Span& s : pieces) f(s, out);
  pieces.swap(out);
}

std::vector<Event> char_events(std::string_view t, bool (*pred)(char32_t)) {
  std::vector<std::pair<size_t, size_t>> m;
  for (size_t i = 0; i < t.size();) {
    size_t b = i;
    if (pred(next_cp(t, i))) m.push_back({b, i});
  }
  return events_from_matches(m, t.size());
}

std::vector<Event> pattern_events(const Pattern& p, std::string_view t) {
  std::vector<std::pair<size_t, size_t>> m;
  p.for_each_match(t, [&](size_t b, size_t e) { m.push_back({b, e}); });
  return events_from_matches(m, t.size());
}

class Split : public PreTokenizer {
 public:
  Split(Pattern p, Behavior b, bool inv) : pat_(std::move(p)), how_(b), invert_(inv) {}
  void split(std::vector<Span>& pieces, Arena&) const override {
    split_each(pieces, [&](const Span& s, std::vector<Span>& out) {
      apply_behavior(s, pattern_events(pat_, s.text), how_, invert_, out);
    });
  }

 private:
  Pattern pat_;
  Behavior how_;
  bool invert_;
};

class ByteLevel : public PreTokenizer {
 public:
  ByteLevel(bool prefix, bool regex) : prefix_(prefix), regex_(regex) {
    if (regex_) pat_ = Pattern::regex(kGpt2Regex, "ByteLevel");
  }
  void split(std::vector<Span>& pieces, Arena& arena) const override {
    split_each(pieces, [&](const Span& in, std::vector<Span>& out) {
      Span s = (prefix_ && !in.text.empty() && in.text[0] != ' ') ? prepend(in, " ", arena) : in;
      if (!regex_) {
        if (!s.text.empty()) out.push_back(s);
        return;
      }
      pat_.for_each_match(s.text, [&](size_t b, size_t e) {  // Isolated, and the GPT-2
        if (b < e) out.push_back(s.sub(b, e));                 // regex matches everything
      });
    });
  }
  bool byte_level() const override { return true; }

 private:
  bool prefix_, regex_;
  Pattern pat_;
};

class Digits : public PreTokenizer {
 public:
  explicit Digits(bool individual) : individual_(individual) {}
  void split(std::vector<Span>& pieces, Arena&) const override {
    split_each(pieces, [&](const Span& s, std::vector<Span>& out) {
      apply_behavior(s, char_events(s.text, is_numeric), individual_ ? Behavior::Isolated : Behavior::Contiguous, false, out);
    });
  }

 private:
  bool individual_;
};

class WhitespaceSplit : public PreTokenizer {
 public:
  void split(std::vector<Span>& pieces, Arena&) const override {
    split_each(pieces, [&](const Span& s, std::vector<Span>& out) {
      apply_behavior(s, char_events(s.text, is_whitespace), Behavior::Removed, false, out);
    });
  }
};

// HF Whitespace: keeps the matches of \w+|[^\w\s]+.
class Whitespace : public PreTokenizer {
 public:
  Whitespace() : pat_(Pattern::regex(R"(\w+|[^\w\s]+)", "Whitespace")) {}
  void split(std::vector<Span>& pieces, Arena&) const override {
    split_each(pieces, [&](const Span& s, std::vector<Span>& out) {
      apply_behavior(s, pattern_events(pat_, s.text), Behavior::Removed, true, out);
    });
  }

 private:
  Pattern pat_;
};

class Metaspace : public PreTokenizer {
 public:
  enum class Scheme { Always, First, Never };
  Metaspace(std::string rep, Scheme sc, bool split) : rep_(std::move(rep)), scheme_(sc), split_(split) {}
  void split(std::vector<Span>& pieces, Arena& arena) const override {
    split_each(pieces, [&](const Span& in, std::vector<Span>& out) {
      Span s = replace_spaces(in, arena);
      bool starts = s.text.compare(0, rep_.size(), rep_) == 0;
      bool first = s.text.empty() ? false : s.char_range(0).first == 0;
      if (!starts && (scheme_ == Scheme::Always || (scheme_ == Scheme::First && first))) s = prepend(s, rep_, arena);
      if (!split_) {
        if (!s.text.empty()) out.push_back(s);
        return;
      }
      apply_behavior(s, pattern_events(Pattern::literal(rep_), s.text), Behavior::MergedWithNext, false, out);
    });
  }

 private:
  Span replace_spaces(const Span& in, Arena& arena) const {
    if (in.text.find(' ') == std::string_view::npos) return in;
    SpanBuilder b(in);
    for (size_t i = 0; i < in.text.size(); ++i) {
      if (in.text[i] != ' ') {
        b.copy(i, i + 1);
        continue;
      }
      Range r = in.char_range(i);
      for (size_t k = 0; k < rep_.size();) b.push(next_cp(rep_, k), r);
    }
    return b.finish(arena);
  }
  std::string rep_;
  Scheme scheme_;
  bool split_;
};

class Sequence : public PreTokenizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<PreTokenizer>> v) : v_(std::move(v)) {}
  void split(std::vector<Span>& pieces, Arena& arena) const override {
    for (auto& p : v_) p->split(pieces, arena);
  }
  bool byte_level() const override { return !v_.empty() && v_.back()->byte_level(); }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> v_;
};

Behavior parse_behavior(const json& j, const JPath& p) {
  std::string b = jstr(j, p);
  if (b == "Removed") return Behavior::Removed;
  if (b == "Isolated") return Behavior::Isolated;
  if (b == "MergedWithPrevious") return Behavior::MergedWithPrevious;
  if (b == "MergedWithNext") return Behavior::MergedWithNext;
  if (b == "Contiguous") return Behavior::Contiguous;
  p.fail(cat("unknown split behavior '", b, "'"));
}

std::unique_ptr<PreTokenizer> make_metaspace(const json& j, const JPath& p) {
  std::string rep = jstr_opt(j, "replacement", "\xE2\x96\x81", p);
  if (count_chars(rep) != 1) (p / "replacement").fail("expected exactly one character");
  auto scheme = jbool(j, "add_prefix_space", true, p) ? Metaspace::Scheme::Always : Metaspace::Scheme::Never;
  if (j.contains("prepend_scheme")) {
    std::string s = jstr(j["prepend_scheme"], p / "prepend_scheme");
    if (s == "always") scheme = Metaspace::Scheme::Always;
    else if (s == "first") scheme = Metaspace::Scheme::First;
    else if (s == "never") scheme = Metaspace::Scheme::Never;
    else (p / "prepend_scheme").fail(cat("unknown prepend_scheme '", s, "'"));
  }
  return std::make_unique<Metaspace>(rep, scheme, jbool(j, "split", true, p));
}

}  // namespace

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json& j, const JPath& p) {
  if (j.is_null()) return nullptr;
  std::string t = jtype(j, p);
  if (t == "ByteLevel") return std::make_unique<ByteLevel>(jbool(j, "add_prefix_space", true, p), jbool(j, "use_regex", true, p));
  if (t == "Split")
    return std::make_unique<Split>(make_pattern(jreq(j, "pattern", p), p / "pattern"),
                                   parse_behavior(jreq(j, "behavior", p), p / "behavior"), jbool(j, "invert", false, p));
  if (t == "Digits") return std::make_unique<Digits>(jbool(j, "individual_digits", false, p));
  if (t == "Whitespace") return std::make_unique<Whitespace>();
  if (t == "WhitespaceSplit") return std::make_unique<WhitespaceSplit>();
  if (t == "Metaspace") return make_metaspace(j, p);
  if (t == "Sequence") {
    JPath ap = p / "pretokenizers";
    const json& arr = jreq(j, "pretokenizers", p);
    if (!arr.is_array()) ap.fail("expected an array");
    std::vector<std::unique_ptr<PreTokenizer>> v;
    for (size_t i = 0; i < arr.size(); ++i) {
      if (!v.empty() && v.back()->byte_level())
        ap[i].fail("a pre-tokenizer after ByteLevel is not supported", "put ByteLevel last in the sequence");
      if (auto x = make_pre_tokenizer(arr[i], ap[i])) v.push_back(std::move(x));
    }
    return std::make_unique<Sequence>(std::move(v));
  }
  (p / "type").fail(cat("unknown pre_tokenizer type '", t, "'"),
                    "supported: ByteLevel, Split, Digits, Whitespace, WhitespaceSplit, Metaspace, Sequence");
}

}  // namespace libu::text
