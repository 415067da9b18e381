#include "libu/text/added_tokens.h"

#include <algorithm>

#include "libu/text/normalizer.h"
#include "libu/text/unicode.h"

namespace libu::text {

AddedTokens::AddedTokens(const json& arr, const JPath& p, const Normalizer* normalizer) {
  if (arr.is_null()) return;
  if (!arr.is_array()) p.fail("expected an array");
  for (size_t i = 0; i < arr.size(); ++i) {
    const json& j = arr[i];
    JPath ip = p[i];
    AddedToken t;
    long long id = jint(jreq(j, "id", ip), ip / "id");
    if (id < 0) (ip / "id").fail("negative id");
    t.id = uint32_t(id);
    t.content = jstr(jreq(j, "content", ip), ip / "content");
    if (t.content.empty()) (ip / "content").fail("empty added token");
    t.single_word = jbool(j, "single_word", false, ip);
    t.lstrip = jbool(j, "lstrip", false, ip);
    t.rstrip = jbool(j, "rstrip", false, ip);
    t.normalized = jbool(j, "normalized", !jbool(j, "special", false, ip), ip);
    t.special = jbool(j, "special", false, ip);
    by_id_[t.id] = tokens_.size();
    by_content_[t.content] = t.id;
    tokens_.push_back(std::move(t));
  }
  build(raw_, false, normalizer);
  build(norm_, true, normalizer);
}

void AddedTokens::build(Matcher& m, bool normalized, const Normalizer* normalizer) {
  m.by_first.assign(256, {});
  for (size_t i = 0; i < tokens_.size(); ++i) {
    if (tokens_[i].normalized != normalized) continue;
    std::string pat = normalized ? normalize_string(normalizer, tokens_[i].content) : tokens_[i].content;
    if (pat.empty()) continue;
    m.patterns.push_back({pat, i});
    m.by_first[(unsigned char)pat[0]].push_back(m.patterns.size() - 1);
    m.any = true;
  }
  for (auto& v : m.by_first)  // longest first; among equals, the earlier token
    std::stable_sort(v.begin(), v.end(), [&](size_t a, size_t b) { return m.patterns[a].first.size() > m.patterns[b].first.size(); });
}

bool AddedTokens::find(const Matcher& m, std::string_view t, size_t from, size_t& b, size_t& e, size_t& tok) const {
  for (size_t i = from; i < t.size(); ++i) {
    for (size_t pi : m.by_first[(unsigned char)t[i]]) {
      const std::string& pat = m.patterns[pi].first;
      if (t.compare(i, pat.size(), pat) == 0) {
        b = i, e = i + pat.size(), tok = m.patterns[pi].second;
        return true;
      }
    }
  }
  return false;
}

static bool word_char_before(std::string_view s, size_t i) {
  if (i == 0) return false;
  size_t k = i - 1;
  while (k > 0 && is_cont((unsigned char)s[k])) --k;
  char32_t c = next_cp(s, k);
  return is_alphanumeric(c) || c == '_';
}

static bool word_char_at(std::string_view s, size_t i) {
  if (i >= s.size()) return false;
  char32_t c = next_cp(s, i);
  return is_alphanumeric(c) || c == '_';
}

// HF find_matches: applies single_word, lstrip and rstrip to each leftmost-longest match.
void AddedTokens::split_one(const Span& s, const Matcher& m, std::vector<Span>& out) const {
  std::string_view t = s.text;
  size_t start_offset = 0, from = 0, b, e, ti;
  while (find(m, t, from, b, e, ti)) {
    from = e;
    const AddedToken& tok = tokens_[ti];
    if (tok.single_word && (word_char_before(t, b) || word_char_at(t, e))) continue;
    if (b < start_offset) continue;  // inside a previous token's rstrip
    if (tok.lstrip) {
      size_t nb = b;
      while (nb > 0) {
        size_t k = nb - 1;
        while (k > 0 && is_cont((unsigned char)t[k])) --k;
        size_t kk = k;
        if (!is_whitespace(next_cp(t, kk))) break;
        nb = k;
      }
      b = std::max(nb, start_offset);
    }
    if (tok.rstrip) {
      while (e < t.size()) {
        size_t k = e;
        if (!is_whitespace(next_cp(t, k))) break;
        e = k;
      }
      from = e;
    }
    if (start_offset < b) out.push_back(s.sub(start_offset, b));
    Span ts = s.sub(b, e);
    ts.added_id = tok.id;
    out.push_back(ts);
    start_offset = e;
  }
  if (start_offset < t.size()) out.push_back(s.sub(start_offset, t.size()));
}

void AddedTokens::split(std::vector<Span>& pieces, bool normalized) const {
  const Matcher& m = normalized ? norm_ : raw_;
  if (!m.any) return;
  std::vector<Span> out;
  for (const Span& s : pieces) {
    if (s.added_id >= 0) out.push_back(s);
    else split_one(s, m, out);
  }
  pieces.swap(out);
}

const AddedToken* AddedTokens::by_id(uint32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &tokens_[it->second];
}

std::optional<uint32_t> AddedTokens::by_content(const std::string& s) const {
  auto it = by_content_.find(s);
  if (it == by_content_.end()) return std::nullopt;
  return it->second;
}

}  // namespace libu::text
