// libu/eval/mmlu.h — MMLU accuracy as open-instruct's eval/mmlu/run_eval.py measures it
// (docs/eval.md "MMLU"): the Hendrycks prompt with k dev examples, one forward pass per
// question, prediction = argmax of the next-token logits over the ids of " A", " B", " C", " D".
// Folder layout: DIR/test/<subject>_test.csv and DIR/dev/<subject>_dev.csv, in either CSV
// layout of io/csv.h.
#pragma once
#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/io/csv.h"
#include "libu/model/causal_lm.h"
#include "libu/text/tokenizer.h"

namespace libu::eval {

struct MmluOptions {
  int shots = 0;                      // k dev examples (open-instruct: 0 or 5)
  int64_t batch_size = 8;
  std::vector<std::string> subjects;  // empty = every subject of DIR/test
  int64_t limit = 0;                  // first N test questions per subject (0 = all)
  int64_t max_prompt_tokens = 2048;   // reduce k until the prompt fits
};

// open-instruct's format_subject: "abstract_algebra" -> " abstract algebra" (each word is
// prefixed by a space, so the header reads "about  abstract algebra." with two spaces).
std::string mmlu_format_subject(const std::string& subject);
// "Q\nA. ..\nB. ..\nC. ..\nD. ..\nAnswer:" then " X\n\n" when include_answer.
std::string mmlu_format_example(const io::MmluQuestion& q, bool include_answer);
// Header + the first k dev examples + the test question without its answer.
std::string mmlu_prompt(const std::string& subject, const std::vector<io::MmluQuestion>& dev, int k,
                        const io::MmluQuestion& question);

// Token ids of " A", " B", " C", " D"; each must encode to exactly one token (Error otherwise).
std::array<int64_t, 4> mmlu_choice_ids(const text::Tokenizer& tok);

// Subjects with a DIR/test/<subject>_test.csv, sorted; filtered by `wanted` when non-empty.
// Raises Error when DIR/test is missing, holds no *_test.csv, or a wanted subject is absent.
std::vector<std::string> mmlu_subjects(const std::string& dir, const std::vector<std::string>& wanted = {});

struct MmluSubjectResult {
  std::string subject;
  size_t questions = 0, correct = 0;
  double accuracy = 0;
  int min_shots = 0;  // the smallest k used (k is reduced for long prompts)
  std::vector<int> predictions;  // 0..3 per question
};
struct MmluResult {
  int shots = 0;
  std::vector<MmluSubjectResult> subjects;
  size_t questions = 0, correct = 0;
  double accuracy = 0;  // micro average over all questions
};
MmluResult run_mmlu(model::CausalLM& model, const text::Tokenizer& tok, const std::string& dir,
                    const MmluOptions& opt);
// {"shots", "average_acc", "questions", "correct", "subjects": {name: {acc, questions, correct, min_shots}}}
nlohmann::json mmlu_to_json(const MmluResult& r);

}  // namespace libu::eval
