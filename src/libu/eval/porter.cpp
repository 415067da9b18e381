// libu/eval/porter.cpp — Porter stemmer, NLTK_EXTENSIONS variant (see porter.h).
//
// Notation (Porter 1980): a word is [C](VC)^m[V]; m is the "measure". A consonant is any
// letter other than a, e, i, o, u, and other than y when y follows a consonant.
// Rule lists are tried in order; the FIRST rule whose suffix matches decides: if its
// condition fails the word is returned unchanged (no later rule of the step is tried).
#include "libu/eval/porter.h"

#include <functional>
#include <vector>

namespace libu::eval {
namespace {

bool ends_with(const std::string& w, std::string_view suf) {
  return w.size() >= suf.size() && w.compare(w.size() - suf.size(), suf.size(), suf) == 0;
}

std::string drop(const std::string& w, size_t n) { return w.substr(0, w.size() - n); }

bool is_consonant(const std::string& w, size_t i) {
  switch (w[i]) {
    case 'a': case 'e': case 'i': case 'o': case 'u': return false;
    case 'y': return i == 0 ? true : !is_consonant(w, i - 1);
    default: return true;
  }
}

// m = number of "vc" transitions in the consonant/vowel pattern.
int measure(const std::string& s) {
  int m = 0;
  for (size_t i = 1; i < s.size(); ++i)
    if (!is_consonant(s, i - 1) && is_consonant(s, i)) ++m;
  return m;
}

bool contains_vowel(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i)
    if (!is_consonant(s, i)) return true;
  return false;
}

bool ends_double_consonant(const std::string& w) {
  size_t n = w.size();
  return n >= 2 && w[n - 1] == w[n - 2] && is_consonant(w, n - 1);
}

// *o: stem ends cvc, where the second c is not w, x or y. NLTK extension: a two-letter
// stem vowel+consonant also counts.
bool ends_cvc(const std::string& w) {
  size_t n = w.size();
  if (n >= 3 && is_consonant(w, n - 3) && !is_consonant(w, n - 2) && is_consonant(w, n - 1) &&
      w[n - 1] != 'w' && w[n - 1] != 'x' && w[n - 1] != 'y')
    return true;
  return n == 2 && !is_consonant(w, 0) && is_consonant(w, 1);
}

using Cond = std::function<bool(const std::string& stem)>;
struct Rule {
  std::string suffix;  // "*d" = ends in a double consonant
  std::string replacement;
  Cond cond;           // empty = always
};

std::string apply_rules(const std::string& w, const std::vector<Rule>& rules) {
  for (const Rule& r : rules) {
    if (r.suffix == "*d") {
      if (!ends_double_consonant(w)) continue;
      std::string stem = drop(w, 2);
      return (!r.cond || r.cond(stem)) ? stem + r.replacement : w;
    }
    if (!ends_with(w, r.suffix)) continue;
    std::string stem = drop(w, r.suffix.size());
    return (!r.cond || r.cond(stem)) ? stem + r.replacement : w;
  }
  return w;
}

const Cond m_gt0 = [](const std::string& s) { return measure(s) > 0; };
const Cond m_gt1 = [](const std::string& s) { return measure(s) > 1; };

std::string step1a(const std::string& w) {
  // NLTK: a 4-letter "-ies" word keeps "ie" (ties → tie), longer ones get "i".
  if (w.size() == 4 && ends_with(w, "ies")) return drop(w, 3) + "ie";
  return apply_rules(w, {{"sses", "ss", {}}, {"ies", "i", {}}, {"ss", "ss", {}}, {"s", "", {}}});
}

std::string step1b(const std::string& w) {
  // NLTK: "-ied" like "-ies" (died → die, cried → cri).
  if (ends_with(w, "ied")) return drop(w, 3) + (w.size() == 4 ? "ie" : "i");
  if (ends_with(w, "eed")) {
    std::string stem = drop(w, 3);
    return measure(stem) > 0 ? stem + "ee" : w;
  }
  std::string stem;
  bool removed = false;
  for (std::string_view suf : {std::string_view("ed"), std::string_view("ing")}) {
    if (ends_with(w, suf)) {
      std::string s = drop(w, suf.size());
      if (contains_vowel(s)) {
        stem = s;
        removed = true;
        break;
      }
    }
  }
  if (!removed) return w;
  // Tidy-up after removing -ed/-ing.
  const char last = stem.back();
  return apply_rules(stem, {
      {"at", "ate", {}},
      {"bl", "ble", {}},
      {"iz", "ize", {}},
      {"*d", std::string(1, last), [last](const std::string&) { return last != 'l' && last != 's' && last != 'z'; }},
      {"", "e", [](const std::string& s) { return measure(s) == 1 && ends_cvc(s); }},
  });
}

std::string step1c(const std::string& w) {
  // NLTK: y → i only after a consonant that is not the first letter.
  return apply_rules(w, {{"y", "i", [](const std::string& s) {
                            return s.size() > 1 && is_consonant(s, s.size() - 1);
                          }}});
}

std::string step2(const std::string& w) {
  // NLTK: "-alli" → "-al" is tried first, and the result goes through step 2 again.
  if (ends_with(w, "alli") && measure(drop(w, 4)) > 0) return step2(drop(w, 4) + "al");
  // NLTK: "-logi" → "-log" keeps the l with the stem for the measure (geologi → geolog).
  const Cond logi = [&w](const std::string&) { return measure(drop(w, 3)) > 0; };
  return apply_rules(w, {
      {"ational", "ate", m_gt0}, {"tional", "tion", m_gt0}, {"enci", "ence", m_gt0},
      {"anci", "ance", m_gt0},   {"izer", "ize", m_gt0},    {"bli", "ble", m_gt0},
      {"alli", "al", m_gt0},     {"entli", "ent", m_gt0},   {"eli", "e", m_gt0},
      {"ousli", "ous", m_gt0},   {"ization", "ize", m_gt0}, {"ation", "ate", m_gt0},
      {"ator", "ate", m_gt0},    {"alism", "al", m_gt0},    {"iveness", "ive", m_gt0},
      {"fulness", "ful", m_gt0}, {"ousness", "ous", m_gt0}, {"aliti", "al", m_gt0},
      {"iviti", "ive", m_gt0},   {"biliti", "ble", m_gt0},  {"fulli", "ful", m_gt0},
      {"logi", "log", logi},
  });
}

std::string step3(const std::string& w) {
  return apply_rules(w, {{"icate", "ic", m_gt0}, {"ative", "", m_gt0}, {"alize", "al", m_gt0},
                         {"iciti", "ic", m_gt0}, {"ical", "ic", m_gt0}, {"ful", "", m_gt0},
                         {"ness", "", m_gt0}});
}

std::string step4(const std::string& w) {
  const Cond ion = [](const std::string& s) {
    return measure(s) > 1 && (s.back() == 's' || s.back() == 't');
  };
  return apply_rules(w, {{"al", "", m_gt1},   {"ance", "", m_gt1}, {"ence", "", m_gt1},
                         {"er", "", m_gt1},   {"ic", "", m_gt1},   {"able", "", m_gt1},
                         {"ible", "", m_gt1}, {"ant", "", m_gt1},  {"ement", "", m_gt1},
                         {"ment", "", m_gt1}, {"ent", "", m_gt1},  {"ion", "", ion},
                         {"ou", "", m_gt1},   {"ism", "", m_gt1},  {"ate", "", m_gt1},
                         {"iti", "", m_gt1},  {"ous", "", m_gt1},  {"ive", "", m_gt1},
                         {"ize", "", m_gt1}});
}

std::string step5a(const std::string& w) {
  if (!ends_with(w, "e")) return w;
  std::string stem = drop(w, 1);
  int m = measure(stem);
  if (m > 1) return stem;
  if (m == 1 && !ends_cvc(stem)) return stem;
  return w;
}

std::string step5b(const std::string& w) {
  // (m > 1 and *d and *L) → single letter; the measure is taken on the word minus one l.
  if (ends_with(w, "ll") && measure(drop(w, 1)) > 1) return drop(w, 1);
  return w;
}

// NLTK's irregular forms: looked up before any step.
const char* irregular(const std::string& w) {
  static const std::pair<const char*, const char*> kPool[] = {
      {"skies", "sky"},       {"sky", "sky"},         {"dying", "die"},
      {"lying", "lie"},       {"tying", "tie"},       {"news", "news"},
      {"innings", "inning"},  {"inning", "inning"},   {"outings", "outing"},
      {"outing", "outing"},   {"cannings", "canning"}, {"canning", "canning"},
      {"howe", "howe"},       {"proceed", "proceed"}, {"exceed", "exceed"},
      {"succeed", "succeed"},
  };
  for (const auto& [from, to] : kPool)
    if (w == from) return to;
  return nullptr;
}

}  // namespace

std::string porter_stem(std::string_view word) {
  std::string w(word);
  for (char& c : w)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  if (const char* irr = irregular(w)) return irr;
  if (w.size() <= 2) return w;
  w = step1a(w);
  w = step1b(w);
  w = step1c(w);
  w = step2(w);
  w = step3(w);
  w = step4(w);
  w = step5a(w);
  w = step5b(w);
  return w;
}

}  // namespace libu::eval
