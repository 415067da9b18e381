// MMLU: the open-instruct prompt against a literal expected string (header, 5 shots,
// "Answer:") built from ../shared/data/mmlu, choice token ids, batched scoring on a tiny
// model, and the bad-input errors.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "evalrun_fixture.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/eval/mmlu.h"

using namespace libu;
using namespace libu::eval;

namespace {

std::string mmlu_dir() { return test::shared_path("data/mmlu"); }

// open-instruct eval/mmlu/run_eval.py: gen_prompt(dev_df, "abstract_algebra", 5) +
// format_example(test_df, 0, include_answer=False). format_subject prefixes every word with
// a space, hence "about  abstract algebra" with two spaces.
const char* kExpected5Shot =
    "The following are multiple choice questions (with answers) about  abstract algebra.\n"
    "\n"
    "Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.\n"
    "A. 0\n"
    "B. 1\n"
    "C. 2\n"
    "D. 3\n"
    "Answer: B\n"
    "\n"
    "Statement 1 | If aH is an element of a factor group, then |aH| divides |a|. Statement 2 | If H and K are "
    "subgroups of G then HK is a subgroup of G.\n"
    "A. True, True\n"
    "B. False, False\n"
    "C. True, False\n"
    "D. False, True\n"
    "Answer: B\n"
    "\n"
    "Statement 1 | Every element of a group generates a cyclic subgroup of the group. Statement 2 | The symmetric "
    "group S_10 has 10 elements.\n"
    "A. True, True\n"
    "B. False, False\n"
    "C. True, False\n"
    "D. False, True\n"
    "Answer: C\n"
    "\n"
    "Statement 1| Every function from a finite set onto itself must be one to one. Statement 2 | Every subgroup of "
    "an abelian group is abelian.\n"
    "A. True, True\n"
    "B. False, False\n"
    "C. True, False\n"
    "D. False, True\n"
    "Answer: A\n"
    "\n"
    "Find the characteristic of the ring 2Z.\n"
    "A. 0\n"
    "B. 3\n"
    "C. 12\n"
    "D. 30\n"
    "Answer: A\n"
    "\n"
    "Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.\n"
    "A. 0\n"
    "B. 4\n"
    "C. 2\n"
    "D. 6\n"
    "Answer:";

}  // namespace

TEST(EvalRunMmlu, FiveShotPromptMatchesOpenInstructLiteral) {
  auto dev = io::read_mmlu_csv(mmlu_dir() + "/dev/abstract_algebra_dev.csv");
  auto test = io::read_mmlu_csv(mmlu_dir() + "/test/abstract_algebra_test.csv");
  ASSERT_GE(dev.size(), 5u);
  std::string got = mmlu_prompt("abstract_algebra", dev, 5, test.at(0));
  EXPECT_EQ(got, kExpected5Shot);
  // The hendrycks layout (no header, answer letters) gives the same prompt.
  auto dev_h = io::read_mmlu_csv(mmlu_dir() + "/hendrycks-format-dev/abstract_algebra_dev.csv");
  EXPECT_EQ(mmlu_prompt("abstract_algebra", dev_h, 5, test.at(0)), kExpected5Shot);
  // A broken input (answer letter changed) must not match: the test can fail.
  auto broken = dev;
  broken[0].answer = 2;
  EXPECT_NE(mmlu_prompt("abstract_algebra", broken, 5, test.at(0)), kExpected5Shot);
}

TEST(EvalRunMmlu, ZeroShotPromptAndSubjectFormatting) {
  io::MmluQuestion q{"What is 1+1?", {"1", "2", "3", "4"}, 1};
  EXPECT_EQ(mmlu_prompt("high_school_mathematics", {}, 0, q),
            "The following are multiple choice questions (with answers) about  high school mathematics.\n\n"
            "What is 1+1?\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer:");
  EXPECT_EQ(mmlu_format_subject("anatomy"), " anatomy");
  EXPECT_EQ(mmlu_format_example(q, true), "What is 1+1?\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer: B\n\n");
}

TEST(EvalRunMmlu, ChoiceIdsAreSingleTokens) {
  auto tok = text::Tokenizer::from_file(test::tiny_tokenizer_file());
  auto ids = mmlu_choice_ids(tok);
  // tiny-random-gpt2 vocab: "ĠA" 240, "ĠB" 265, "ĠC" 247, "ĠD" 300.
  EXPECT_EQ(ids[0], 240);
  EXPECT_EQ(ids[1], 265);
  EXPECT_EQ(ids[2], 247);
  EXPECT_EQ(ids[3], 300);
}

TEST(EvalRunMmlu, BatchedScoringEqualsUnbatchedOnTinyModel) {
  auto tok = text::Tokenizer::from_model_dir(test::tiny_model_dir());
  auto m = model::CausalLM::load(test::tiny_model_dir());
  MmluOptions o;
  o.shots = 5;
  o.subjects = {"abstract_algebra", "anatomy"};
  o.limit = 3;
  o.batch_size = 4;
  auto batched = run_mmlu(*m, tok, mmlu_dir(), o);
  o.batch_size = 1;
  auto single = run_mmlu(*m, tok, mmlu_dir(), o);
  ASSERT_EQ(batched.subjects.size(), 2u);
  EXPECT_EQ(batched.questions, 6u);
  EXPECT_GE(batched.accuracy, 0.0);
  EXPECT_LE(batched.accuracy, 1.0);
  for (size_t s = 0; s < 2; ++s) EXPECT_EQ(batched.subjects[s].predictions, single.subjects[s].predictions);
  EXPECT_EQ(batched.correct, single.correct);
  // The micro average is correct / questions over all subjects.
  EXPECT_DOUBLE_EQ(batched.accuracy, double(batched.correct) / 6.0);
  auto j = mmlu_to_json(batched);
  EXPECT_EQ(j["subjects"]["anatomy"]["questions"], 3);
  EXPECT_EQ(j["shots"], 5);
}

// ---- bad input ----

TEST(EvalRunMmlu, FolderWithNoMatchingSubjectIsAClearError) {
  std::string d = test::temp_dir("mmlu_bad");
  // No test/ folder at all.
  try {
    mmlu_subjects(d);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("no test/ folder"), std::string::npos) << e.message();
  }
  // test/ without any <subject>_test.csv.
  make_dirs(d + "/test");
  std::ofstream(d + "/test/notes.txt") << "hello\n";
  try {
    mmlu_subjects(d);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("no subject"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find(d), std::string::npos) << e.message();
  }
  // A subject filter that matches nothing names the subject and lists real ones.
  try {
    mmlu_subjects(mmlu_dir(), {"astrology"});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("astrology"), std::string::npos) << e.message();
    EXPECT_NE(e.hint().find("abstract_algebra"), std::string::npos) << e.hint();
  }
  EXPECT_EQ(mmlu_subjects(mmlu_dir(), {"anatomy"}), std::vector<std::string>{"anatomy"});
  EXPECT_EQ(mmlu_subjects(mmlu_dir()).size(), 57u);
}

TEST(EvalRunMmlu, MultiTokenChoiceIsAnError) {
  // A tokenizer whose " A" is two tokens (a word-level vocab without "ĠA").
  std::string d = test::temp_dir("mmlu_tok");
  std::string tj = R"({"version":"1.0","truncation":null,"padding":null,"added_tokens":[],
    "normalizer":null,"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},
    "post_processor":null,"decoder":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true},
    "model":{"type":"BPE","dropout":null,"unk_token":null,"continuing_subword_prefix":null,"end_of_word_suffix":null,
    "fuse_unk":false,"byte_fallback":false,"vocab":{"A":0,"B":1,"C":2,"D":3,"Ġ":4},"merges":[]}})";
  std::ofstream(d + "/tokenizer.json") << tj;
  auto tok = text::Tokenizer::from_file(d + "/tokenizer.json");
  EXPECT_THROW(mmlu_choice_ids(tok), Error);
}
