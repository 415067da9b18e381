// MIA on a tiny model: per-document losses are finite and equal −mean(token log-probs),
// right-padded batches equal one-by-one scoring, Min-K%++ moments match mia_attacks.h's
// reference, truncation is counted, every AUC is in [0, 1].
#include <cmath>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "evalrun_fixture.h"
#include "libu/core/error.h"
#include "libu/eval/general_nll.h"
#include "libu/eval/gradnorm.h"
#include "libu/model/loss.h"
#include "libu/eval/mia.h"
#include "libu/eval/mia_attacks.h"
#include "libu/io/jsonl.h"
#include "libu/io/records.h"

using namespace libu;
using namespace libu::eval;

namespace {

// A small MIA folder: the first n documents of the shared member/nonmember files, cut to
// a few hundred characters.
std::string small_mia_dir(size_t n) {
  std::string d = test::temp_dir("evalrun_mia");
  for (std::string label : {"member", "nonmember"}) {
    auto rows = io::read_jsonl(test::shared_path("data/semeval25/mia/" + label + ".jsonl"));
    std::vector<nlohmann::json> out;
    for (size_t i = 0; i < n; ++i)
      out.push_back({{"id", rows.at(i).at("id")},
                     {"document", rows.at(i).at("document").get<std::string>().substr(0, 100 + 60 * i)}});
    io::write_jsonl(d + "/" + label + ".jsonl", out);
  }
  return d;
}

}  // namespace

TEST(EvalRunMia, LossesFiniteAucInRangeAndBatchingInvariant) {
  auto tok = text::Tokenizer::from_model_dir(test::tiny_model_dir());
  auto m = model::CausalLM::load(test::tiny_model_dir());
  std::string dir = small_mia_dir(5);
  MiaOptions o;
  o.max_length = 96;
  o.batch_size = 3;
  auto run = run_mia(*m, tok, dir, o);
  ASSERT_EQ(run.docs.size(), 10u);
  EXPECT_GT(run.truncated, 0u);
  EXPECT_LT(run.truncated, run.docs.size());
  std::set<int64_t> lengths;  // different lengths: the batches really are right-padded
  for (auto& d : run.docs) lengths.insert(d.nll.tokens);
  EXPECT_GE(lengths.size(), 3u);
  for (auto& [name, auc] : run.auc) {
    EXPECT_GE(auc, 0.0) << name;
    EXPECT_LE(auc, 1.0) << name;
  }
  for (const char* k : {"loss", "zlib", "min_k_10", "min_k_20", "min_k_40", "min_k_plus_plus_10",
                        "min_k_plus_plus_20", "min_k_plus_plus_40"})
    EXPECT_TRUE(run.auc.count(k)) << k;
  // A random model over a 1000-token vocabulary: loss near ln(1000) ≈ 6.9.
  for (auto& d : run.docs) {
    EXPECT_TRUE(std::isfinite(d.nll.loss)) << d.id;
    EXPECT_GT(d.nll.loss, 3.0) << d.id;
    EXPECT_LT(d.nll.loss, 12.0) << d.id;
    EXPECT_LE(d.nll.tokens, 96);
    ASSERT_EQ(d.nll.logprobs.size(), size_t(d.nll.tokens - 1));
    double s = 0;
    for (double v : d.nll.logprobs) s += v;
    EXPECT_NEAR(d.nll.loss, -s / double(d.nll.logprobs.size()), 1e-12);
  }
  // One document at a time gives the same losses (right padding is masked out).
  o.batch_size = 1;
  auto single = run_mia(*m, tok, dir, o);
  for (size_t i = 0; i < run.docs.size(); ++i) {
    EXPECT_EQ(single.docs[i].id, run.docs[i].id);
    EXPECT_NEAR(single.docs[i].nll.loss, run.docs[i].nll.loss, 1e-5) << run.docs[i].id;
  }
  auto rows = mia_rows_json(run);
  EXPECT_EQ(rows[0]["label"], "member");
  EXPECT_EQ(rows[9]["label"], "nonmember");
  EXPECT_TRUE(rows[0].contains("min_k_plus_plus_20"));
  EXPECT_EQ(mia_summary_json(run)["truncated"], run.truncated);
}

TEST(EvalRunMia, MomentsMatchTheReferenceDefinition) {
  auto tok = text::Tokenizer::from_model_dir(test::tiny_model_dir());
  auto m = model::CausalLM::load(test::tiny_model_dir());
  std::string doc = "Jamal Eddine Dkhissi was a Moroccan actor born in Oujda.";
  auto d = document_nll(*m, tok, {doc}, MiaOptions{}, "test")[0];
  // Reference: log_softmax of the full-sequence logits, then mia_attacks' scalar loop.
  auto ids32 = tok.encode_ids(doc, false);
  std::vector<int64_t> ids(ids32.begin(), ids32.end());
  torch::NoGradGuard ng;
  auto lp = torch::log_softmax(m->forward(torch::tensor(ids).unsqueeze(0))[0], -1).contiguous();  // [T, V]
  ASSERT_EQ(d.mu.size(), ids.size() - 1);
  for (size_t t = 0; t + 1 < ids.size(); ++t) {
    auto ref = logprob_moments(lp[int64_t(t)].data_ptr<float>(), size_t(lp.size(1)));
    EXPECT_NEAR(d.mu[t], ref.mu, 1e-9) << "t=" << t;
    EXPECT_NEAR(d.var[t], ref.var, 1e-9) << "t=" << t;
    EXPECT_NEAR(d.logprobs[t], lp[int64_t(t)][ids[t + 1]].item<double>(), 1e-5) << "t=" << t;
  }
}

TEST(EvalRunMia, BadInput) {
  auto tok = text::Tokenizer::from_model_dir(test::tiny_model_dir());
  auto m = model::CausalLM::load(test::tiny_model_dir());
  std::string d = test::temp_dir("evalrun_mia_bad");
  EXPECT_THROW(run_mia(*m, tok, d, MiaOptions{}), Error);  // no member.jsonl
  EXPECT_THROW(document_nll(*m, tok, {""}, MiaOptions{}, "test", {"doc-1"}), Error);  // no token
}

// eval run --general: the mean of the documents' losses, scored exactly like MIA documents
// (the same per-document losses as document_nll), from {"document"} jsonl or records.
TEST(EvalRunGeneral, MeanOfDocumentLossesFromEitherFileKind) {
  auto tok = text::Tokenizer::from_model_dir(test::tiny_model_dir());
  auto m = model::CausalLM::load(test::tiny_model_dir());
  std::string dir = small_mia_dir(4);
  auto docs = general_documents(dir + "/nonmember.jsonl");
  ASSERT_EQ(docs.size(), 4u);
  MiaOptions o;
  o.max_length = 64;
  auto g = general_nll(*m, tok, docs, o);
  auto each = document_nll(*m, tok, docs, o, "test");
  double s = 0;
  int64_t tokens = 0;
  for (auto& d : each) s += d.loss, tokens += d.tokens;
  EXPECT_NEAR(g.nll, s / 4, 1e-9);
  EXPECT_EQ(g.tokens, tokens);
  EXPECT_EQ(g.documents, 4u);
  EXPECT_EQ(g.to_json("x")["source"], "x");
  // Records: each row's input + output is one document.
  std::string recs = test::temp_dir("general_records") + "/g.jsonl";
  std::vector<io::Record> rows;
  for (size_t i = 0; i < docs.size(); ++i)
    rows.push_back({cat("r", i, "sc1"), docs[i].substr(0, 40), docs[i].substr(40), "Task1", "general"});
  io::write_records_jsonl(recs, rows);
  EXPECT_EQ(general_documents(recs), docs);
  std::string empty = test::temp_dir("general_empty") + "/e.jsonl";
  io::write_jsonl(empty, {});
  EXPECT_THROW(general_documents(empty), Error);
}

// --mia-reference: the Reference statistic is own loss − the reference's (Carlini et al. 2022, as
// OpenUnlearning), PrivLeak = (AUC − AUC_ref)/AUC_ref × 100 per statistic; the same model as its
// own reference gives statistic 0 (AUC 0.5) and PrivLeak 0.
TEST(EvalRunMia, ReferenceAttackAndPrivLeak) {
  auto tok = text::Tokenizer::from_model_dir(test::tiny_model_dir());
  model::LoadOptions lo;
  lo.dtype = torch::kFloat;
  auto m = model::CausalLM::load(test::tiny_model_dir(), lo);
  // Another model: the same weights, every layer weight scaled (a different function, same vocab).
  auto w = m->weights();
  std::map<std::string, torch::Tensor> w2;
  for (auto& [n, t] : w) w2[n] = n.find("layers.") != std::string::npos ? t * 0.7 : t;
  model::CausalLM other(m->config(), w2);
  std::string dir = small_mia_dir(4);
  MiaOptions o;
  o.max_length = 64;
  auto plain = run_mia(*m, tok, dir, o);
  auto oth = run_mia(other, tok, dir, o);
  o.reference = &other;
  auto run = run_mia(*m, tok, dir, o);
  ASSERT_EQ(run.docs.size(), 8u);
  for (size_t i = 0; i < run.docs.size(); ++i) {
    double ref = NAN;
    for (auto& [k, v] : run.docs[i].stats)
      if (k == "reference") ref = v;
    EXPECT_NEAR(ref, plain.docs[i].nll.loss - oth.docs[i].nll.loss, 1e-9) << i;
  }
  ASSERT_TRUE(run.auc.count("reference"));
  for (auto& [k, auc] : oth.auc) {
    ASSERT_TRUE(run.reference_auc.count(k)) << k;
    EXPECT_DOUBLE_EQ(run.reference_auc.at(k), auc) << k;
    EXPECT_DOUBLE_EQ(run.privleak.at(k), (plain.auc.at(k) - auc) / auc * 100.0) << k;
  }
  o.reference = m.get();
  auto self = run_mia(*m, tok, dir, o);
  EXPECT_DOUBLE_EQ(self.auc.at("reference"), 0.5);
  EXPECT_DOUBLE_EQ(self.privleak.at("loss"), 0.0);
  auto j = mia_summary_json(self);
  EXPECT_TRUE(j.contains("privleak") && j.contains("reference_auc"));
  EXPECT_FALSE(mia_summary_json(plain).contains("privleak"));
}

// GradNorm (OpenUnlearning): the mean over weight tensors of ‖∂L/∂W‖_p, checked against a
// full-training copy whose .grad() comes from backward(); the weights' flags come back as they were.
TEST(EvalRunMia, GradNormEqualsBackwardOnAFullTrainingCopy) {
  auto tok = text::Tokenizer::from_model_dir(test::tiny_model_dir());
  model::LoadOptions lo;
  lo.dtype = torch::kFloat;
  auto m = model::CausalLM::load(test::tiny_model_dir(), lo);
  std::vector<std::string> docs = {"The quick brown fox jumps over the lazy dog.", "A second, shorter text here."};
  MiaOptions o;
  o.max_length = 8;  // cut: only the first 8 tokens count
  for (double p : {1.0, 2.0, double(INFINITY)}) {
    auto got = gradnorm_statistics(*m, tok, docs, o, p, "test");
    ASSERT_EQ(got.size(), 2u);
    for (auto& [n, t] : m->weights()) EXPECT_FALSE(t.requires_grad()) << n;
    auto full = model::CausalLM::load(test::tiny_model_dir(), lo);
    full->enable_full_training();
    for (size_t d = 0; d < docs.size(); ++d) {
      auto e = tok.encode_ids(docs[d], false);
      auto ids = torch::tensor(std::vector<int64_t>(e.begin(), e.begin() + 8)).unsqueeze(0);
      for (auto& [n, t] : full->trainable())
        if (t.grad().defined()) t.mutable_grad().zero_();
      model::causal_lm_loss(full->forward(ids), ids).backward();
      double sum = 0;
      int count = 0;
      for (auto& [n, t] : full->trainable())
        if (t.grad().defined()) sum += t.grad().norm(p).item<double>(), ++count;
      EXPECT_GT(count, 0);
      EXPECT_NEAR(got[d], sum / count, 1e-5 * std::max(1.0, sum / count)) << "p " << p << " doc " << d;
    }
  }
  EXPECT_THROW(gradnorm_statistics(*m, tok, docs, o, 3.0, "test"), Error);
}
