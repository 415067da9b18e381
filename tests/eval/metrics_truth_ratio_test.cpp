// TOFU's truth ratio (eval/truth_ratio.h): hand cases of OpenUnlearning's formulas, the jsonl
// fields paraphrased_answer / perturbed_answer (a string or a list), and the model-side value
// against per-answer NLLs computed here from the full logits.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "evalrun_fixture.h"
#include "libu/core/error.h"
#include "libu/eval/truth_ratio.h"
#include "libu/io/records.h"

using namespace libu;
using namespace libu::eval;

TEST(TruthRatio, HandCasesOfOpenUnlearningsFormulas) {
  // Right answer loss 1, wrong answers 2 and 4 (mean 3): tr = e^-3 / e^-1 = e^-2.
  EXPECT_NEAR(truth_ratio_row(1.0, {2.0, 4.0}), std::exp(-2.0), 1e-9);
  EXPECT_NEAR(truth_ratio_row(2.0, {2.0}), 1.0, 1e-8);
  const double a = std::exp(-2.0), b = 2.0;
  EXPECT_NEAR(truth_ratio_closer_to_1({a, b}), (a + 0.5) / 2, 1e-9);       // min(tr, 1/tr)
  EXPECT_NEAR(truth_ratio_true_better({a, b}), (1 - a + 0.0) / 2, 1e-12);  // max(0, 1 − tr)
  EXPECT_TRUE(std::isnan(truth_ratio_closer_to_1({})));
}

TEST(TruthRatio, JsonlFieldsAndModelValue) {
  std::string dir = test::temp_dir("truth_ratio");
  {
    std::ofstream f(dir + "/rows.jsonl");
    f << R"({"id": "1", "input": "Who wrote the book?", "output": " Ann Lee", "paraphrased_answer": " It was Ann Lee", "perturbed_answer": [" Bob Ray", " Cy Moe"]})" "\n";
    f << R"({"id": "2", "input": "Where is it?", "output": " In Rome", "paraphrased_answer": " Rome", "perturbed_answer": " Paris"})" "\n";
    f << R"({"id": "3", "input": "No answers here", "output": " none"})" "\n";
  }
  auto rows = io::load_records(dir + "/rows.jsonl");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].paraphrased, " It was Ann Lee");
  EXPECT_EQ(rows[0].perturbed, (std::vector<std::string>{" Bob Ray", " Cy Moe"}));
  EXPECT_EQ(rows[1].perturbed, (std::vector<std::string>{" Paris"}));
  EXPECT_TRUE(rows[2].paraphrased.empty() && rows[2].perturbed.empty());
  {
    std::ofstream f(dir + "/bad.jsonl");
    f << R"({"id": "1", "input": "a", "output": "b", "perturbed_answer": [1, 2]})" "\n";
  }
  EXPECT_THROW(io::load_records(dir + "/bad.jsonl"), Error);

  model::LoadOptions lo;
  lo.dtype = torch::kFloat;
  auto m = model::CausalLM::load(test::tiny_model_dir(), lo);
  auto tok = text::Tokenizer::from_file(test::tiny_tokenizer_file());
  auto loss = [&](const std::string& in, const std::string& ans) {  // mean answer-token NLL
    auto ids = tok.encode_ids(in + ans, false);
    const size_t p = tok.encode_ids(in, false).size();
    auto t = torch::tensor(std::vector<int64_t>(ids.begin(), ids.end())).unsqueeze(0);
    torch::NoGradGuard ng;
    auto lp = torch::log_softmax(m->forward(t).to(torch::kDouble)[0], -1);
    double s = 0;
    for (size_t i = p; i < ids.size(); ++i) s -= lp[int64_t(i) - 1][int64_t(ids[i])].item<double>();
    return s / double(ids.size() - p);
  };
  std::vector<double> tr;
  for (size_t r = 0; r < 2; ++r) {
    std::vector<double> wrong;
    for (auto& w : rows[r].perturbed) wrong.push_back(loss(rows[r].input, w));
    tr.push_back(truth_ratio_row(loss(rows[r].input, rows[r].paraphrased), wrong));
  }
  for (int64_t batch : {1, 4}) {
    auto f = truth_ratio(*m, tok, rows, true, 64, batch);
    EXPECT_EQ(f.rows, 2u);
    EXPECT_NEAR(f.value, truth_ratio_closer_to_1(tr), 1e-5) << batch;
    auto k = truth_ratio(*m, tok, rows, false, 64, batch);
    EXPECT_NEAR(k.value, truth_ratio_true_better(tr), 1e-5) << batch;
    EXPECT_NEAR(k.mean_ratio, (tr[0] + tr[1]) / 2, 1e-5);
  }
  EXPECT_EQ(truth_ratio(*m, tok, {rows[2]}, true, 64, 1).rows, 0u);
  EXPECT_EQ(truth_ratio(*m, tok, rows, true, 64, 1).to_json(true)["aggregator"], "closer_to_1_better");
}
