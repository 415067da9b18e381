// ROUGE-1 / ROUGE-L (use_stemmer=True) against ../shared/data/metrics/rouge_golden.jsonl,
// produced by google-research rouge_score 0.1.2 with nltk 3.8.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/shared.h"
#include "libu/eval/rouge.h"

using namespace libu;
using nlohmann::json;

namespace {
std::vector<json> load_rouge_golden() {
  std::ifstream f(test::shared_path("data/metrics/rouge_golden.jsonl"));
  EXPECT_TRUE(f.good());
  std::vector<json> rows;
  std::string line;
  while (std::getline(f, line))
    if (!line.empty()) rows.push_back(json::parse(line));
  return rows;
}
void expect_score(const json& want, const eval::RougeScore& got, const std::string& what,
                  int& bitdiff) {
  const double w[3] = {want["precision"].get<double>(), want["recall"].get<double>(),
                       want["fmeasure"].get<double>()};
  const double g[3] = {got.precision, got.recall, got.fmeasure};
  const char* names[3] = {"precision", "recall", "fmeasure"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(g[i], w[i], 1e-9) << what << " " << names[i] << ": expected " << w[i] << ", got " << g[i];
    if (g[i] != w[i]) ++bitdiff;
  }
}
}  // namespace

TEST(MetricsRouge, EveryGoldenPairTokensAndScores) {
  auto rows = load_rouge_golden();
  ASSERT_EQ(rows.size(), 421u);
  int bitdiff = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& r = rows[i];
    const std::string tag = "row " + std::to_string(i + 1) + " (" + r["kind"].get<std::string>() + ")";
    auto tt = eval::rouge_tokenize(r["target"].get<std::string>());
    auto pt = eval::rouge_tokenize(r["prediction"].get<std::string>());
    EXPECT_EQ(tt, r["target_tokens"].get<std::vector<std::string>>()) << tag << " target tokens";
    EXPECT_EQ(pt, r["prediction_tokens"].get<std::vector<std::string>>()) << tag << " prediction tokens";
    auto s = eval::rouge_score(r["target"].get<std::string>(), r["prediction"].get<std::string>());
    expect_score(r["rouge1"], s.rouge1, tag + " rouge1", bitdiff);
    expect_score(r["rougeL"], s.rougeL, tag + " rougeL", bitdiff);
    EXPECT_EQ(eval::rouge_l_recall(r["target"].get<std::string>(), r["prediction"].get<std::string>()),
              s.rougeL.recall);
  }
  // The README says an exact port matches bit for bit; hold it to that.
  EXPECT_EQ(bitdiff, 0) << "values within 1e-9 but not bit-identical";
}

TEST(MetricsRouge, TokenizerUnicodeEdges) {
  using V = std::vector<std::string>;
  EXPECT_EQ(eval::rouge_tokenize("\xC4\xB0stanbul"), (V{"i", "stanbul"}));  // U+0130
  EXPECT_EQ(eval::rouge_tokenize("\xE2\x84\xAA" "elvin"), (V{"kelvin"}));      // U+212A
  EXPECT_EQ(eval::rouge_tokenize("caf\xC3\xA9 na\xC3\xAFve"), (V{"caf", "na", "ve"}));
  EXPECT_EQ(eval::rouge_tokenize(""), V{});
  EXPECT_EQ(eval::rouge_tokenize("Runs ran RUNNING", false), (V{"runs", "ran", "running"}));
}

TEST(MetricsRouge, LcsAndEmptySides) {
  using V = std::vector<std::string>;
  EXPECT_EQ(eval::lcs_length(V{"a", "b", "c", "d"}, V{"b", "d", "a"}), 2u);
  auto s = eval::rouge_l(V{}, V{"a"});
  EXPECT_EQ(s.precision, 0.0);
  EXPECT_EQ(s.recall, 0.0);
  auto r1 = eval::rouge_n(V{"the", "the", "cat"}, V{"the"}, 1);
  EXPECT_DOUBLE_EQ(r1.precision, 1.0);
  EXPECT_DOUBLE_EQ(r1.recall, 1.0 / 3.0);
  auto r2 = eval::rouge_n(V{"a", "b", "c"}, V{"a", "b", "d"}, 2);
  EXPECT_DOUBLE_EQ(r2.precision, 0.5);
}

// The golden comparison can fail: without the stemmer many token lists differ.
TEST(MetricsRouge, GoldenCanFail) {
  int differ = 0;
  for (const json& r : load_rouge_golden())
    differ += eval::rouge_tokenize(r["target"].get<std::string>(), false) !=
              r["target_tokens"].get<std::vector<std::string>>();
  EXPECT_GT(differ, 100);
}
