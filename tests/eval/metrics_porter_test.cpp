// Porter stemmer (NLTK_EXTENSIONS) against ../shared/data/metrics/porter_stems.tsv, made by
// nltk 3.8 PorterStemmer() through rouge_score's tokenizer (stem only if len > 3).
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "common/shared.h"
#include "libu/eval/porter.h"

using namespace libu;

namespace {
std::vector<std::pair<std::string, std::string>> load_stems() {
  std::ifstream f(test::shared_path("data/metrics/porter_stems.tsv"));
  EXPECT_TRUE(f.good());
  std::vector<std::pair<std::string, std::string>> out;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty()) continue;
    auto tab = line.find('\t');
    EXPECT_NE(tab, std::string::npos) << line;
    out.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  return out;
}
std::string rouge_stem(const std::string& w) { return w.size() > 3 ? eval::porter_stem(w) : w; }
}  // namespace

TEST(MetricsPorter, EveryGoldenStemExact) {
  auto stems = load_stems();
  ASSERT_EQ(stems.size(), 3000u);
  int bad = 0;
  for (auto& [word, expected] : stems) {
    std::string got = rouge_stem(word);
    if (got != expected) {
      ++bad;
      ADD_FAILURE() << "word '" << word << "': expected '" << expected << "', got '" << got << "'";
    }
  }
  EXPECT_EQ(bad, 0);
}

TEST(MetricsPorter, NltkDeparturesAndIrregularForms) {
  const std::pair<const char*, const char*> cases[] = {
      {"skies", "sky"},     {"dying", "die"},        {"lying", "lie"},  {"tying", "tie"},
      {"news", "news"},     {"innings", "inning"},   {"proceed", "proceed"},
      {"ties", "tie"},      {"flies", "fli"},        {"died", "die"},   {"cried", "cri"},
      {"caresses", "caress"}, {"ponies", "poni"},    {"hopping", "hop"}, {"falling", "fall"},
      {"hoping", "hope"},   {"generalization", "gener"}, {"proceeds", "proce"},
      {"runs", "run"},      {"RUNNING", "run"},
  };
  for (auto& [w, s] : cases) EXPECT_EQ(eval::porter_stem(w), s) << "word " << w;
}

// The golden comparison can fail: an identity "stemmer" disagrees with > 1000 rows, and a
// deliberately broken stem (one letter dropped) is caught.
TEST(MetricsPorter, GoldenCanFail) {
  auto stems = load_stems();
  int changed = 0;
  for (auto& [word, expected] : stems) changed += (word != expected);
  EXPECT_GT(changed, 1000);
  EXPECT_NE(eval::porter_stem("generalization").substr(1), "gener");
}
