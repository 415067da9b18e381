// Exact memorisation and extraction strength (eval/memorisation.h): hand cases of
// OpenUnlearning's definitions (including its loop's 1/n for a wrong last token), and the
// model-side means against a per-position argmax computed here from the full logits.
#include <cmath>

#include <gtest/gtest.h>

#include "evalrun_fixture.h"
#include "libu/eval/memorisation.h"

using namespace libu;
using namespace libu::eval;

TEST(Memorisation, HandCasesOfOpenUnlearningsDefinitions) {
  using H = std::vector<uint8_t>;
  EXPECT_DOUBLE_EQ(exact_memorisation(H{1, 1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(extraction_strength(H{1, 1, 1}), 1.0);  // k = 0
  EXPECT_DOUBLE_EQ(exact_memorisation(H{0, 1, 1}), 2.0 / 3);
  EXPECT_DOUBLE_EQ(extraction_strength(H{0, 1, 1}), 2.0 / 3);  // k = 1
  EXPECT_DOUBLE_EQ(extraction_strength(H{1, 0, 1, 1}), 0.5);   // k = 2: an early hit does not count
  EXPECT_DOUBLE_EQ(exact_memorisation(H{1, 1, 0}), 2.0 / 3);
  EXPECT_DOUBLE_EQ(extraction_strength(H{1, 1, 0}), 1.0 / 3);  // no suffix: the loop stops at k = n − 1
  EXPECT_DOUBLE_EQ(extraction_strength(H{0, 0, 0, 0}), 0.25);
  EXPECT_DOUBLE_EQ(exact_memorisation(H{0, 0, 0, 0}), 0.0);
  EXPECT_TRUE(std::isnan(exact_memorisation(H{})));
  EXPECT_TRUE(std::isnan(extraction_strength(H{})));
}

TEST(Memorisation, ModelMeansEqualPerPositionArgmax) {
  model::LoadOptions lo;
  lo.dtype = torch::kFloat;
  auto m = model::CausalLM::load(test::tiny_model_dir(), lo);
  auto tok = text::Tokenizer::from_file(test::tiny_tokenizer_file());
  std::vector<io::Record> rows = {{"a", "The capital of the region is", " a town by the sea", "", ""},
                                  {"b", "Question: who wrote it? Answer:", " nobody knows", "", ""},
                                  {"c", "x", " y y y y y y y y", "", ""}};
  double em = 0, es = 0;
  for (auto& r : rows) {
    auto ids = tok.encode_ids(r.input + r.output, false);
    const size_t p = tok.encode_ids(r.input, false).size();
    auto t = torch::tensor(std::vector<int64_t>(ids.begin(), ids.end())).unsqueeze(0);  // [1, n]
    torch::Tensor pred;
    {
      torch::NoGradGuard ng;
      pred = m->forward(t).argmax(-1)[0];  // [n]: the prediction for the next position
    }
    std::vector<uint8_t> hits;
    for (size_t i = p; i < ids.size(); ++i) hits.push_back(pred[int64_t(i) - 1].item<int64_t>() == int64_t(ids[i]));
    em += exact_memorisation(hits) / double(rows.size());
    es += extraction_strength(hits) / double(rows.size());
  }
  for (int64_t batch : {1, 2}) {
    auto got = memorisation(*m, tok, rows, 64, batch);
    EXPECT_EQ(got.rows, 3u);
    EXPECT_NEAR(got.exact_memorisation, em, 1e-12) << batch;
    EXPECT_NEAR(got.extraction_strength, es, 1e-12) << batch;
  }
  auto j = memorisation(*m, tok, rows, 64, 2).to_json();
  for (const char* k : {"exact_memorisation", "extraction_strength", "rows"}) EXPECT_TRUE(j.contains(k)) << k;
}
