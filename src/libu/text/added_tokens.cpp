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
    if (id < 0 || id > 0xffffffffLL) (ip / "id").fail(cat("id ", id, " is outside 0..2^32-1"));
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
  m.nodes.assign(1, {});  // node 0: unused sentinel (root transitions live in m.root)
  for (size_t i = 0; i < tokens_.size(); ++i) {
    if (tokens_[i].normalized != normalized) continue;
    std::string pat = normalized ? normalize_string(normalizer, tokens_[i].content) : tokens_[i].content;
    if (pat.empty()) continue;
    uint32_t* slot = &m.root[(unsigned char)pat[0]];
    if (!*slot) *slot = uint32_t(m.nodes.size()), m.nodes.emplace_back();
    uint32_t node = *slot;
    for (size_t k = 1; k < pat.size(); ++k) {
      uint32_t child = 0;
      for (auto& [b, n] : m.nodes[node].next)
        if (b == (unsigned char)pat[k]) child = n;
      if (!child) {
        child = uint32_t(m.nodes.size());
        m.nodes[node].next.push_back({(unsigned char)pat[k], child});
        m.nodes.emplace_back();
      }
      node = child;
    }
    if (m.nodes[node].token < 0) m.nodes[node].token = long(i);  // first token wins on duplicates
    m.any = true;
  }
}

bool AddedTokens::find(const Matcher& m, std::string_view t, size_t from, size_t& b, size_t& e, size_t& tok) const {
  for (size_t i = from; i < t.size(); ++i) {
    uint32_t node = m.root[(unsigned char)t[i]];
    long best = -1;
    size_t best_end = 0;
    for (size_t k = i + 1; node; ++k) {  // walk as deep as the text allows: longest match
      if (m.nodes[node].token >= 0) best = m.nodes[node].token, best_end = k;
      if (k >= t.size()) break;
      uint32_t child = 0;
      for (auto& [c, n] : m.nodes[node].next)
        if (c == (unsigned char)t[k]) { child = n; break; }
      node = child;
    }
    if (best >= 0) {
      b = i, e = best_end, tok = size_t(best);
      return true;
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
