// libu/eval/porter.h — the Porter stemmer as NLTK's PorterStemmer() runs it in its default
// mode NLTK_EXTENSIONS (what rouge_score builds with use_stemmer=True). Written from the
// published algorithm (Porter 1980) plus NLTK's documented departures; see docs/eval.md.
// No torch.
#pragma once
#include <string>
#include <string_view>

namespace libu::eval {

// Stems one word. ASCII letters are lowercased first (NLTK's to_lowercase=True); words of
// length ≤ 2 are returned unchanged, and NLTK's irregular forms (skies→sky, dying→die, ...)
// are looked up before the steps. Meant for the [a-z0-9]+ tokens of the ROUGE tokenizer.
std::string porter_stem(std::string_view word);

}  // namespace libu::eval
