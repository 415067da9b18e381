#include "libu/text/trainer.h"

#include <algorithm>
#include <queue>
#include <unordered_set>

#include "libu/text/pre_tokenizer.h"
#include "libu/text/regex.h"
#include "libu/text/unicode.h"

namespace libu::text {
namespace {

using Pair = uint64_t;  // (left id << 32) | right id
Pair pack(uint32_t a, uint32_t b) { return (uint64_t(a) << 32) | b; }

struct Word {
  std::vector<uint32_t> syms;
  uint64_t count;
};

// Incremental pair statistics over all words.
struct PairStats {
  std::unordered_map<Pair, int64_t> count;
  std::unordered_map<Pair, std::vector<uint32_t>> where;  // words that may contain the pair
  void add_word(const Word& w, uint32_t wi, int sign, std::vector<Pair>* touched) {
    for (size_t i = 0; i + 1 < w.syms.size(); ++i) {
      Pair p = pack(w.syms[i], w.syms[i + 1]);
      count[p] += sign * int64_t(w.count);
      if (sign > 0) where[p].push_back(wi);
      if (touched) touched->push_back(p);
    }
  }
};

// Merges every (a, b) in the word into `id` (left to right, non-overlapping).
void merge_word(std::vector<uint32_t>& s, uint32_t a, uint32_t b, uint32_t id) {
  size_t o = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i + 1 < s.size() && s[i] == a && s[i + 1] == b) s[o++] = id, ++i;
    else s[o++] = s[i];
  }
  s.resize(o);
}

}  // namespace

BpeTrainer::BpeTrainer(BpeTrainerOptions opt) : opt_(std::move(opt)) {}

void BpeTrainer::feed(std::string_view text) {
  static const Pattern re = Pattern::regex(kGpt2Regex, "GPT-2 regex");
  std::string fixed;
  if (!valid_utf8(text)) fixed = utf8_lossy(text), text = fixed;
  re.for_each_match(text, [&](size_t b, size_t e) { ++counts_[std::string(text.substr(b, e - b))]; });
}

nlohmann::ordered_json BpeTrainer::train() const {
  size_t n_special = opt_.special_tokens.size();
  if (opt_.vocab_size < n_special + 256)
    fail(cat("vocab size ", opt_.vocab_size, " is too small: need at least ", n_special + 256, " (specials + 256 bytes)"));
  // ids: specials, then the 256 byte-level chars, then one id per merge
  std::vector<std::string> tokens(opt_.special_tokens);
  for (int b = 0; b < 256; ++b) tokens.push_back(bytes_to_level(std::string(1, char(b))));
  std::unordered_map<std::string, uint32_t> ids;
  for (size_t i = 0; i < tokens.size(); ++i) ids.emplace(tokens[i], uint32_t(i));
  std::vector<Word> words;
  words.reserve(counts_.size());
  std::vector<std::pair<std::string, uint64_t>> sorted(counts_.begin(), counts_.end());
  std::sort(sorted.begin(), sorted.end());  // deterministic word order
  for (auto& [w, c] : sorted) {
    Word wd{{}, c};
    for (unsigned char b : w) wd.syms.push_back(uint32_t(n_special + b));
    words.push_back(std::move(wd));
  }
  PairStats st;
  for (uint32_t i = 0; i < words.size(); ++i) st.add_word(words[i], i, +1, nullptr);
  // Max-heap on (count, then the smaller pair); entries may be stale and are re-checked.
  using Item = std::pair<int64_t, Pair>;
  auto cmp = [](const Item& x, const Item& y) { return x.first != y.first ? x.first < y.first : x.second > y.second; };
  std::priority_queue<Item, std::vector<Item>, decltype(cmp)> heap(cmp);
  for (auto& [p, c] : st.count) heap.push({c, p});
  std::vector<std::pair<uint32_t, uint32_t>> merges;
  std::vector<Pair> touched;
  while (tokens.size() < opt_.vocab_size && !heap.empty()) {
    auto [c, p] = heap.top();
    heap.pop();
    if (st.count[p] != c) continue;  // stale
    if (c < int64_t(std::max<uint64_t>(opt_.min_frequency, 1))) break;
    uint32_t a = uint32_t(p >> 32), b = uint32_t(p);
    std::string merged = tokens[a] + tokens[b];
    auto [it, is_new] = ids.emplace(merged, uint32_t(tokens.size()));  // an existing string keeps its id
    uint32_t id = it->second;
    if (is_new) tokens.push_back(merged);
    merges.push_back({a, b});
    std::vector<uint32_t> ws;
    ws.swap(st.where[p]);
    std::sort(ws.begin(), ws.end());
    ws.erase(std::unique(ws.begin(), ws.end()), ws.end());
    touched.clear();
    for (uint32_t wi : ws) {
      Word& w = words[wi];
      size_t before = w.syms.size();
      std::vector<uint32_t> copy = w.syms;
      merge_word(copy, a, b, id);
      if (copy.size() == before) continue;
      st.add_word(w, wi, -1, &touched);
      w.syms.swap(copy);
      st.add_word(w, wi, +1, &touched);
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (Pair q : touched)
      if (st.count[q] > 0) heap.push({st.count[q], q});
  }
  nlohmann::ordered_json vocab = nlohmann::ordered_json::object(), mj = nlohmann::ordered_json::array();
  for (size_t i = 0; i < tokens.size(); ++i) vocab[tokens[i]] = i;
  for (auto [a, b] : merges) mj.push_back({tokens[a], tokens[b]});
  nlohmann::ordered_json added = nlohmann::ordered_json::array();
  for (size_t i = 0; i < n_special; ++i)
    added.push_back({{"id", i}, {"content", opt_.special_tokens[i]}, {"single_word", false}, {"lstrip", false},
                     {"rstrip", false}, {"normalized", false}, {"special", true}});
  auto byte_level = [](bool trim) {
    return nlohmann::ordered_json{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", trim}, {"use_regex", true}};
  };
  nlohmann::ordered_json model = {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr},
                                  {"continuing_subword_prefix", nullptr}, {"end_of_word_suffix", nullptr},
                                  {"fuse_unk", false}, {"byte_fallback", false}, {"ignore_merges", false},
                                  {"vocab", vocab}, {"merges", mj}};
  return {{"version", "1.0"}, {"truncation", nullptr}, {"padding", nullptr}, {"added_tokens", added},
          {"normalizer", nullptr}, {"pre_tokenizer", byte_level(true)}, {"post_processor", byte_level(false)},
          {"decoder", byte_level(true)}, {"model", model}};
}

}  // namespace libu::text
