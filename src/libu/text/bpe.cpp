#include "libu/text/bpe.h"

#include <atomic>
#include <cstring>
#include <queue>

#include "libu/text/unicode.h"

namespace libu::text {
namespace {

constexpr uint64_t kNone = ~uint64_t(0);
constexpr size_t kSmallWord = 128;  // longer words use the heap-based merge
constexpr size_t kCacheMax = 1 << 16;
constexpr size_t kCacheWordMax = 256;

uint64_t mix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return k;
}

// Per-thread word cache: word -> tokens, open addressing (half full at most), keys and
// tokens in flat pools. Cleared when full or when another model uses the thread.
struct WordCache {
  struct Slot {
    uint64_t hash = 0;
    uint32_t key_off = 0, key_len = 0, tok_off = 0, tok_len = 0;  // key_len 0 = empty
  };
  uint64_t owner = 0;
  std::vector<Slot> slots;
  std::string keys;
  std::vector<Bpe::Tok> toks;
  size_t used = 0;
  void reset(uint64_t who) {
    owner = who;
    slots.assign(kCacheMax * 2, Slot{});
    keys.clear(), toks.clear(), used = 0;
  }
  // The slot holding `w`, or the empty slot where it belongs.
  Slot& find(std::string_view w, uint64_t h) {
    size_t mask = slots.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots[i];
      if (!s.key_len || (s.hash == h && s.key_len == w.size() && !memcmp(keys.data() + s.key_off, w.data(), w.size())))
        return s;
    }
  }
};

std::atomic<uint64_t> g_instances{1};

}  // namespace

Bpe::Bpe(const json& model, const JPath& p, bool byte_level) : byte_level_(byte_level), instance_(g_instances++) {
  auto opt = [&](const char* k) -> std::optional<std::string> {
    auto it = model.find(k);
    if (it == model.end() || it->is_null()) return std::nullopt;
    return jstr(*it, p / k);
  };
  auto dropout = model.find("dropout");
  if (dropout != model.end() && !dropout->is_null() && dropout->get<double>() > 0)
    (p / "dropout").fail("BPE dropout is not supported (it makes encoding random)", "set \"dropout\": null");
  fuse_unk_ = jbool(model, "fuse_unk", false, p);
  byte_fallback_ = jbool(model, "byte_fallback", false, p);
  ignore_merges_ = jbool(model, "ignore_merges", false, p);
  load_vocab(jreq(model, "vocab", p), p / "vocab");
  auto to_model = [&](std::optional<std::string> s, const char* key) -> std::optional<std::string> {
    if (!s || s->empty() || !byte_level_) return s && s->empty() ? std::nullopt : s;
    std::string raw;
    if (!level_to_bytes(*s, raw)) (p / key).fail("not representable in the byte-level alphabet");
    return raw;
  };
  prefix_ = to_model(opt("continuing_subword_prefix"), "continuing_subword_prefix");
  suffix_ = to_model(opt("end_of_word_suffix"), "end_of_word_suffix");
  if (auto u = opt("unk_token")) {
    auto it = vocab_.find(*u);
    if (it == vocab_.end()) (p / "unk_token").fail(cat("unk_token '", *u, "' is not in the vocab"));
    unk_ = *u;
  }
  load_merges(jreq(model, "merges", p), p / "merges");
  simple_bytes_ = byte_level_ && !prefix_ && !suffix_;
  for (int b = 0; b < 256; ++b) {
    auto it = model_vocab_.find(std::string(1, char(b)));
    byte_id_[b] = it == model_vocab_.end() ? -1 : int32_t(it->second);
  }
}

static constexpr long long kMaxVocabId = 1LL << 24;

void Bpe::load_vocab(const json& v, const JPath& p) {
  if (!v.is_object()) p.fail("expected an object {token: id}");
  for (auto& [tok, idj] : v.items()) {
    long long id = jint(idj, p / tok);
    // Ids index a dense table; 2^24 is far beyond any real vocabulary (found by fuzzing: an id
    // near 2^31 made that table 64 GB).
    if (id < 0 || id >= kMaxVocabId)
      (p / tok).fail(cat("id ", id, " is outside 0..", kMaxVocabId - 1, "; vocab ids count up from 0"));
    vocab_[tok] = uint32_t(id);
    if (size_t(id) >= id_to_token_.size()) id_to_token_.resize(size_t(id) + 1), has_id_.resize(size_t(id) + 1);
    id_to_token_[size_t(id)] = tok;
    has_id_[size_t(id)] = 1;
    std::string raw;
    if (!byte_level_) model_vocab_[tok] = uint32_t(id);
    else if (level_to_bytes(tok, raw)) model_vocab_[raw] = uint32_t(id);
    // else: a token outside the byte alphabet (e.g. an added token); the model never emits it
  }
}

void Bpe::load_merges(const json& m, const JPath& p) {
  if (!m.is_array()) p.fail("expected an array of merges");
  size_t cap = 16;
  while (cap < m.size() * 2) cap <<= 1;
  mkeys_.assign(cap, kNone), mvals_.assign(cap, kNone), mmask_ = cap - 1;
  size_t plen = 0;
  if (prefix_) plen = byte_level_ ? bytes_to_level(*prefix_).size() : prefix_->size();  // HF string length
  for (size_t i = 0; i < m.size(); ++i) {
    JPath ip = p[i];
    std::string a, b;
    if (m[i].is_string()) {
      std::string s = m[i].get<std::string>();
      size_t sp = s.find(' ');
      if (sp == std::string::npos) ip.fail(cat("merge '", s, "' is not of the form \"a b\""));
      a = s.substr(0, sp), b = s.substr(sp + 1);
    } else if (m[i].is_array() && m[i].size() == 2) {
      a = jstr(m[i][0], ip[0]), b = jstr(m[i][1], ip[1]);
    } else {
      ip.fail("expected \"a b\" or [\"a\", \"b\"]");
    }
    auto id = [&](const std::string& t) {
      auto it = vocab_.find(t);
      if (it == vocab_.end()) ip.fail(cat("merge names token '", t, "' which is not in the vocab"));
      return it->second;
    };
    uint32_t ia = id(a), ib = id(b), inew = id(a + (b.size() >= plen ? b.substr(plen) : b));
    uint64_t key = (uint64_t(ia) << 32) | ib;
    size_t h = mix(key) & mmask_;
    while (mkeys_[h] != kNone && mkeys_[h] != key) h = (h + 1) & mmask_;
    mkeys_[h] = key;  // a repeated merge takes the later rank, as HF's map does
    mvals_[h] = (uint64_t(i) << 32) | inew;
  }
}

uint64_t Bpe::merge(uint32_t a, uint32_t b) const {
  uint64_t key = (uint64_t(a) << 32) | b;
  for (size_t h = mix(key) & mmask_;; h = (h + 1) & mmask_) {
    if (mkeys_[h] == key) return mvals_[h];
    if (mkeys_[h] == kNone) return kNone;
  }
}

std::optional<uint32_t> Bpe::lookup(const std::string& key) const {
  auto it = model_vocab_.find(key);
  if (it == model_vocab_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> Bpe::token_to_id(const std::string& token) const {
  auto it = vocab_.find(token);
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

const std::string* Bpe::id_to_token(uint32_t id) const {
  return id < has_id_.size() && has_id_[id] ? &id_to_token_[id] : nullptr;
}

// Length of one unit in HF's string: byte-level chars take 1 or 2 UTF-8 bytes.
static uint32_t level_len(unsigned char b) { return byte_to_char()[b] < 0x80 ? 1 : 2; }

// Splits the word into initial symbols (HF merge_word). Returns true when some unit was
// dropped (no vocab entry and no unk), which shifts HF's offsets.
bool Bpe::initial_symbols(std::string_view w, std::vector<Sym>& syms) const {
  bool dropped = false;
  if (simple_bytes_ && !unk_) {
    for (unsigned char b : w) {
      if (byte_id_[b] >= 0) syms.push_back({uint32_t(byte_id_[b]), level_len(b), 1});
      else dropped = true;
    }
    return dropped;
  }
  std::optional<Sym> unk;
  std::string key;
  for (size_t i = 0; i < w.size();) {
    size_t n = byte_level_ ? 1 : utf8_len((unsigned char)w[i]);
    std::string_view unit = w.substr(i, n);
    uint32_t lvl = byte_level_ ? level_len((unsigned char)w[i]) : uint32_t(n);
    key.assign(i > 0 && prefix_ ? *prefix_ : std::string());
    key.append(unit);
    i += n;
    if (i >= w.size() && suffix_) key += *suffix_;
    if (auto id = lookup(key)) {
      if (unk) syms.push_back(*unk), unk.reset();
      syms.push_back({*id, lvl, uint32_t(n)});
      continue;
    }
    if (byte_fallback_) {
      std::vector<uint32_t> ids;
      char hex[8];
      for (unsigned char b : key) {
        snprintf(hex, sizeof hex, "<0x%02X>", b);
        if (auto id = token_to_id(hex)) ids.push_back(*id);
        else break;
      }
      if (ids.size() == key.size()) {
        for (uint32_t id : ids) syms.push_back({id, 1, 1});  // HF: one unit per byte token
        dropped |= key.size() != n;
        continue;
      }
    }
    if (!unk_) {
      dropped = true;
      continue;
    }
    uint32_t uid = vocab_.at(*unk_);
    if (unk && fuse_unk_) unk->lvl += lvl, unk->raw += uint32_t(n);
    else {
      if (unk) syms.push_back(*unk);
      unk = Sym{uid, lvl, uint32_t(n)};
    }
  }
  if (unk) syms.push_back(*unk);
  return dropped;
}

// Repeatedly merges the lowest-rank adjacent pair (leftmost on ties): O(n^2), fast for
// the short words that make up almost all text.
void Bpe::merge_small(std::vector<Sym>& w) const {
  thread_local std::vector<uint64_t> pr;
  pr.resize(w.size() - 1);
  for (size_t i = 0; i + 1 < w.size(); ++i) pr[i] = merge(w[i].id, w[i + 1].id);
  while (w.size() > 1) {
    size_t best = 0;
    for (size_t i = 1; i < pr.size(); ++i)
      if (pr[i] < pr[best]) best = i;
    if (pr[best] == kNone) break;
    w[best] = {uint32_t(pr[best]), w[best].lvl + w[best + 1].lvl, w[best].raw + w[best + 1].raw};
    w.erase(w.begin() + long(best) + 1);
    pr.erase(pr.begin() + long(best));
    if (best > 0) pr[best - 1] = merge(w[best - 1].id, w[best].id);
    if (best + 1 < w.size()) pr[best] = merge(w[best].id, w[best + 1].id);
  }
}

// Same result as merge_small, with a heap of (rank, position) and a linked list: HF's
// algorithm, O(n log n) for long words.
void Bpe::merge_large(std::vector<Sym>& w) const {
  size_t n = w.size();
  std::vector<long> prev(n), next(n);
  for (size_t i = 0; i < n; ++i) prev[i] = long(i) - 1, next[i] = i + 1 < n ? long(i + 1) : -1;
  using Item = std::pair<uint64_t, size_t>;  // (rank << 32 | new id, position)
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
  auto push = [&](long i) {
    if (i >= 0 && next[size_t(i)] >= 0) {
      uint64_t m = merge(w[size_t(i)].id, w[size_t(next[size_t(i)])].id);
      if (m != kNone) heap.push({m, size_t(i)});
    }
  };
  std::vector<char> alive(n, 1);
  for (size_t i = 0; i + 1 < n; ++i) push(long(i));
  while (!heap.empty()) {
    auto [m, i] = heap.top();
    heap.pop();
    if (!alive[i] || next[i] < 0 || merge(w[i].id, w[size_t(next[i])].id) != m) continue;
    size_t j = size_t(next[i]);
    w[i] = {uint32_t(m), w[i].lvl + w[j].lvl, w[i].raw + w[j].raw};
    alive[j] = 0;
    next[i] = next[j];
    if (next[j] >= 0) prev[size_t(next[j])] = long(i);
    push(prev[i]);
    push(long(i));
  }
  std::vector<Sym> out;
  for (long i = 0; i >= 0; i = next[size_t(i)]) out.push_back(w[size_t(i)]);
  w.swap(out);
}

// Symbol lengths -> word byte ranges. With `drift`, HF's cumulative positions (in its own
// string units) no longer match the input, so they are mapped back unit by unit.
void Bpe::to_toks(std::string_view w, const std::vector<Sym>& syms, bool drift, std::vector<Tok>& out) const {
  if (!drift) {
    uint32_t pos = 0;
    for (auto& s : syms) out.push_back({s.id, pos, pos + s.raw}), pos += s.raw;
    return;
  }
  std::vector<uint32_t> unit_to_byte;  // HF string position -> input byte
  for (uint32_t i = 0; i < w.size();) {
    uint32_t n = byte_level_ ? 1 : uint32_t(utf8_len((unsigned char)w[i]));
    uint32_t l = byte_level_ ? level_len((unsigned char)w[i]) : n;
    unit_to_byte.insert(unit_to_byte.end(), l, i);
    i += n;
  }
  auto at = [&](uint32_t p) { return p < unit_to_byte.size() ? unit_to_byte[p] : uint32_t(w.size()); };
  uint32_t pos = 0;
  for (auto& s : syms) {
    uint32_t b = at(pos), e = s.lvl ? at(pos + s.lvl - 1) + 1 : b;
    out.push_back({s.id, b, std::max(b, std::min<uint32_t>(e, uint32_t(w.size())))});
    pos += s.lvl;
  }
}

void Bpe::tokenize_uncached(std::string_view word, std::vector<Tok>& out) const {
  thread_local std::vector<Sym> syms;
  syms.clear();
  bool drift = initial_symbols(word, syms);
  if (syms.size() > 1) syms.size() <= kSmallWord ? merge_small(syms) : merge_large(syms);
  to_toks(word, syms, drift, out);
}

void Bpe::tokenize(std::string_view word, std::vector<Tok>& out) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    auto it = model_vocab_.find(std::string(word));
    if (it != model_vocab_.end()) {
      out.push_back({it->second, 0, uint32_t(word.size())});
      return;
    }
  }
  if (word.size() > kCacheWordMax) return tokenize_uncached(word, out);
  thread_local WordCache cache;
  if (cache.owner != instance_ || cache.used >= kCacheMax) cache.reset(instance_);
  uint64_t h = std::hash<std::string_view>()(word);
  WordCache::Slot& slot = cache.find(word, h);
  if (slot.key_len) {
    out.insert(out.end(), cache.toks.begin() + slot.tok_off, cache.toks.begin() + slot.tok_off + slot.tok_len);
    return;
  }
  size_t before = out.size();
  tokenize_uncached(word, out);
  slot = {h, uint32_t(cache.keys.size()), uint32_t(word.size()), uint32_t(cache.toks.size()), uint32_t(out.size() - before)};
  cache.keys.append(word);
  cache.toks.insert(cache.toks.end(), out.begin() + long(before), out.end());
  ++cache.used;
}

}  // namespace libu::text
