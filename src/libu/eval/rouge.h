// libu/eval/rouge.h — ROUGE-1 / ROUGE-N and ROUGE-L (sentence level, LCS) exactly as
// Google's rouge_score computes them with use_stemmer=True (docs/eval.md). No torch.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace libu::eval {

struct RougeScore {
  double precision = 0, recall = 0, fmeasure = 0;
};

// rouge_score's tokenizer: Python str.lower(); every run of characters outside ASCII
// [a-z0-9] becomes a separator; tokens longer than 3 characters are Porter-stemmed
// (porter.h) when `stem` is true. Only U+0130 and U+212A lowercase to ASCII letters.
std::vector<std::string> rouge_tokenize(std::string_view text, bool stem = true);

// F = 2PR/(P+R) evaluated left to right in double, 0 when P + R == 0 (rouge_score.scoring).
double rouge_fmeasure(double precision, double recall);

// ROUGE-N over token lists: overlap = Σ_ngram min(count_target, count_pred);
// P = overlap / max(#pred ngrams, 1), R = overlap / max(#target ngrams, 1).
RougeScore rouge_n(const std::vector<std::string>& target,
                   const std::vector<std::string>& prediction, int n = 1);
// ROUGE-L: all zeros if either side is empty, else P = LCS/|pred|, R = LCS/|target|.
RougeScore rouge_l(const std::vector<std::string>& target,
                   const std::vector<std::string>& prediction);
// Length of the longest common subsequence (O(|a|·|b|) time, O(min) memory).
size_t lcs_length(const std::vector<std::string>& a, const std::vector<std::string>& b);

struct RougePair {
  RougeScore rouge1, rougeL;
};
// RougeScorer(["rouge1","rougeL"], use_stemmer=True).score(target, prediction).
RougePair rouge_score(std::string_view target, std::string_view prediction);
// The SemEval regurgitation score of an SC row: rougeL recall of the reference `output`
// (target) against the generation (prediction).
double rouge_l_recall(std::string_view target, std::string_view prediction);

}  // namespace libu::eval
