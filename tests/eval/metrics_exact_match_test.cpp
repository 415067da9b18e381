// QA knowledge score: Python `gt.strip().lower() == gen.strip().lower()`.
#include <gtest/gtest.h>

#include "libu/eval/exact_match.h"
#include "libu/eval/pystr.h"

using namespace libu;

TEST(MetricsExactMatch, PythonStripLower) {
  EXPECT_TRUE(eval::exact_match("O'Neals", "o'neals"));
  EXPECT_TRUE(eval::exact_match("  Paris\n", "PARIS \t"));
  EXPECT_FALSE(eval::exact_match("Paris", "Paris."));
  EXPECT_FALSE(eval::exact_match("1973-07-13", "nan"));
  // NBSP (U+00A0) and ideographic space (U+3000) are str.isspace(); ZWSP (U+200B) is not.
  EXPECT_TRUE(eval::exact_match("\xC2\xA0Paris\xE3\x80\x80", "paris"));
  EXPECT_FALSE(eval::exact_match("\xE2\x80\x8BParis", "paris"));
  // Unicode lowercase: É → é, Ω → ω.
  EXPECT_TRUE(eval::exact_match("\xC3\x89" "cole", "\xC3\xA9" "cole"));
  EXPECT_TRUE(eval::exact_match("\xCE\xA9", "\xCF\x89"));
  EXPECT_EQ(eval::knowledge_score("a", "A"), 1.0);
  EXPECT_EQ(eval::knowledge_score("a", "b"), 0.0);
}

TEST(MetricsExactMatch, PyLowerSpecialCases) {
  // U+0130 → "i" + U+0307; KELVIN SIGN → k; final sigma (ΟΔΟΣ → οδος with ς).
  EXPECT_EQ(eval::py_lower("\xC4\xB0"), "i\xCC\x87");
  EXPECT_EQ(eval::py_lower("\xE2\x84\xAA"), "k");
  EXPECT_EQ(eval::py_lower("\xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3"), "\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x82");
  EXPECT_EQ(eval::py_lower("\xCE\xA3"), "\xCF\x83");                 // lone Σ → σ
  EXPECT_EQ(eval::py_lower("\xCE\x91\xCE\xA3\xCE\x91"), "\xCE\xB1\xCF\x83\xCE\xB1");  // medial
  EXPECT_EQ(eval::py_lower("ABC def \xC3\x84"), "abc def \xC3\xA4");
  EXPECT_EQ(eval::py_strip(" \t\r\n x y \x0b\x0c\x1c"), "x y");
}
