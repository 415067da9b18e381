// libu/eval/rouge.cpp — see rouge.h.
#include "libu/eval/rouge.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "libu/core/error.h"
#include "libu/eval/porter.h"
#include "libu/eval/pystr.h"

namespace libu::eval {

std::vector<std::string> rouge_tokenize(std::string_view text, bool stem) {
  // Lowercase with Python semantics first: this is how U+0130 (→ "i" + U+0307) and U+212A
  // (→ "k") become ASCII. Every UTF-8 byte ≥ 0x80 is then outside [a-z0-9], a separator.
  const std::string low = py_lower(text);
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (cur.empty()) return;
    out.push_back(stem && cur.size() > 3 ? porter_stem(cur) : cur);
    cur.clear();
  };
  for (char ch : low) {
    if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
      cur += ch;
    } else {
      flush();
    }
  }
  flush();
  // rouge_score keeps only tokens matching ^[a-z0-9]+$; stems are never empty for
  // words longer than 3 characters, but keep the filter for safety.
  out.erase(std::remove_if(out.begin(), out.end(), [](const std::string& t) { return t.empty(); }),
            out.end());
  return out;
}

double rouge_fmeasure(double precision, double recall) {
  if (precision + recall > 0) return 2 * precision * recall / (precision + recall);
  return 0.0;
}

RougeScore rouge_n(const std::vector<std::string>& target,
                   const std::vector<std::string>& prediction, int n) {
  LIBU_CHECK(n >= 1, "rouge_n: n must be >= 1, got ", n);
  auto count = [n](const std::vector<std::string>& toks) {
    std::unordered_map<std::string, long> c;
    for (size_t i = 0; i + size_t(n) <= toks.size(); ++i) {
      std::string key = toks[i];
      for (int k = 1; k < n; ++k) key += ' ' + toks[i + size_t(k)];
      ++c[key];
    }
    return c;
  };
  auto ct = count(target), cp = count(prediction);
  long nt = 0, np = 0, overlap = 0;
  for (auto& [k, v] : ct) nt += v;
  for (auto& [k, v] : cp) np += v;
  for (auto& [k, v] : ct) {
    auto it = cp.find(k);
    if (it != cp.end()) overlap += std::min(v, it->second);
  }
  RougeScore s;
  s.precision = double(overlap) / double(std::max(np, 1L));
  s.recall = double(overlap) / double(std::max(nt, 1L));
  s.fmeasure = rouge_fmeasure(s.precision, s.recall);
  return s;
}

size_t lcs_length(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const auto& outer = a.size() >= b.size() ? a : b;
  const auto& inner = a.size() >= b.size() ? b : a;
  std::vector<size_t> prev(inner.size() + 1, 0), cur(inner.size() + 1, 0);
  for (size_t i = 1; i <= outer.size(); ++i) {
    for (size_t j = 1; j <= inner.size(); ++j)
      cur[j] = outer[i - 1] == inner[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    std::swap(prev, cur);
  }
  return prev[inner.size()];
}

RougeScore rouge_l(const std::vector<std::string>& target,
                   const std::vector<std::string>& prediction) {
  RougeScore s;
  if (target.empty() || prediction.empty()) return s;
  const double lcs = double(lcs_length(target, prediction));
  s.precision = lcs / double(prediction.size());
  s.recall = lcs / double(target.size());
  s.fmeasure = rouge_fmeasure(s.precision, s.recall);
  return s;
}

RougePair rouge_score(std::string_view target, std::string_view prediction) {
  auto t = rouge_tokenize(target), p = rouge_tokenize(prediction);
  return {rouge_n(t, p, 1), rouge_l(t, p)};
}

double rouge_l_recall(std::string_view target, std::string_view prediction) {
  return rouge_l(rouge_tokenize(target), rouge_tokenize(prediction)).recall;
}

}  // namespace libu::eval
