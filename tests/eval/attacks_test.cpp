// Robustness attacks (docs/robustness.md): the quantiser's round-trip bounds and group
// handling, the paraphrase templates, the document split and recovery ratio, and
// `eval attack` end to end on a tiny model (all files, determinism under --seed).
#include <gtest/gtest.h>

#include <set>

#include "evalrun_fixture.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/eval/attacks/attacks.h"
#include "libu/eval/attacks/paraphrase.h"
#include "libu/eval/attacks/quantize.h"
#include "libu/eval/eval_run.h"
#include "libu/io/jsonl.h"
#include "libu/model/peft_io.h"

using namespace libu;
using namespace libu::eval::attacks;
using nlohmann::json;

namespace {

// Per-element scale of w (the scale of its (row, group)), fp32 [out, in].
torch::Tensor element_scales(const torch::Tensor& w, int bits, int64_t group) {
  auto s = quantize_scales(w, bits, group);                      // [out, G]
  return s.repeat_interleave(group, 1).narrow(1, 0, w.size(1));  // [out, in]
}

}  // namespace

TEST(Quantize, RoundTripErrorWithinHalfAScalePerElement) {
  torch::manual_seed(3);
  auto w = torch::randn({6, 300}) * torch::rand({6, 1}) * 3;  // 300 = 2·128 + 44: a short last group
  for (int bits : {8, 4}) {
    auto y = quantize_roundtrip(w, bits, 128);
    auto s = element_scales(w, bits, 128);
    auto err = (w - y).abs();
    EXPECT_TRUE((err <= s / 2 * (1 + 1e-6) + 1e-12).all().item<bool>()) << bits << " bits";
    // The codes are integers in [−qmax, qmax], and the group maximum is represented exactly.
    const double qmax = bits == 8 ? 127 : 7;
    auto q = y / s;
    EXPECT_LT((q - q.round()).abs().max().item<double>(), 1e-3);
    EXPECT_LE(q.abs().max().item<double>(), qmax + 1e-3);
    EXPECT_NEAR(y.abs().max().item<double>(), w.abs().max().item<double>(), 1e-5);
  }
  // int4 is coarser than int8 on the same tensor.
  EXPECT_GT((w - quantize_roundtrip(w, 4, 128)).abs().mean().item<double>(),
            10 * (w - quantize_roundtrip(w, 8, 128)).abs().mean().item<double>());
}

TEST(Quantize, GroupsRunAlongTheInputDimensionWithAShortLastGroup) {
  auto w = torch::zeros({2, 130});
  w.index_put_({0, 0}, 1.0);     // group 0 of row 0: max 1
  w.index_put_({0, 129}, 100.0);  // group 1 (2 columns) of row 0: max 100
  w.index_put_({1, 5}, -0.5);     // row 1: group 0 max 0.5, group 1 all zero
  auto s = quantize_scales(w, 8, 128);
  ASSERT_EQ(s.sizes(), (std::vector<int64_t>{2, 2}));
  EXPECT_FLOAT_EQ(s[0][0].item<float>(), 1.0f / 127);
  EXPECT_FLOAT_EQ(s[0][1].item<float>(), 100.0f / 127);
  EXPECT_FLOAT_EQ(s[1][1].item<float>(), 0.0f);
  auto y = quantize_roundtrip(w, 8, 128);
  EXPECT_FLOAT_EQ(y[0][0].item<float>(), 1.0f);  // a large value elsewhere does not coarsen another group
  EXPECT_FLOAT_EQ(y[0][129].item<float>(), 100.0f);
  EXPECT_TRUE(y[1].narrow(0, 128, 2).eq(0).all().item<bool>());  // an all-zero group stays zero
  // A value below half a step rounds to 0 inside its group.
  w.index_put_({0, 1}, 0.4 / 127);
  EXPECT_FLOAT_EQ(quantize_roundtrip(w, 8, 128)[0][1].item<float>(), 0.0f);
  // Group 1 ≡ one group per column: exact for any value.
  auto r = torch::randn({3, 7});
  EXPECT_TRUE(torch::allclose(quantize_roundtrip(r, 4, 1), r, 1e-6, 1e-6));
}

TEST(Quantize, KeepsDtypeAndRejectsBadArguments) {
  auto w = torch::randn({4, 256}).to(torch::kBFloat16);
  EXPECT_EQ(quantize_roundtrip(w, 4, 128).scalar_type(), torch::kBFloat16);
  EXPECT_THROW(quantize_roundtrip(w, 1, 128), Error);
  EXPECT_THROW(quantize_roundtrip(w, 8, 0), Error);
}

TEST(Quantize, OnlyDecoderBlockMatricesAreQuantised) {
  std::map<std::string, torch::Tensor> m = {{"model.embed_tokens.weight", torch::randn({10, 8})},
                                            {"lm_head.weight", torch::randn({10, 8})},
                                            {"model.layers.0.self_attn.q_proj.weight", torch::randn({8, 8})},
                                            {"model.layers.0.input_layernorm.weight", torch::randn({8})}};
  int64_t n = 0;
  auto q = quantize_weights(m, 4, 128, &n);
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(q["model.embed_tokens.weight"].is_same(m["model.embed_tokens.weight"]));
  EXPECT_TRUE(q["lm_head.weight"].is_same(m["lm_head.weight"]));
  EXPECT_TRUE(q["model.layers.0.input_layernorm.weight"].is_same(m["model.layers.0.input_layernorm.weight"]));
  EXPECT_FALSE(torch::equal(q["model.layers.0.self_attn.q_proj.weight"], m["model.layers.0.self_attn.q_proj.weight"]));
}

TEST(Paraphrase, TemplatesAreFixedRewrites) {
  EXPECT_EQ(*paraphrase("original", "What is X?"), "What is X?");
  EXPECT_EQ(*paraphrase("qa", "What is X? "), "Q: What is X? A:");
  EXPECT_EQ(*paraphrase("question-answer", "What is X?"), "Question: What is X?\nAnswer:");
  EXPECT_EQ(*paraphrase("clause-moved", "In the story of Mia and Oslo, what did Mia carry?"),
            "What did Mia carry, in the story of Mia and Oslo?");
  EXPECT_EQ(*paraphrase("clause-moved", "What is the birth date of Tamander Willowbrook?"),
            "Regarding Tamander Willowbrook, what is the birth date?");
  EXPECT_EQ(*paraphrase("clause-moved", "What is Tamander Willowbrook's phone number?"),
            "Regarding Tamander Willowbrook, what is the phone number?");
  EXPECT_FALSE(paraphrase("clause-moved", "Who wrote Hamlet?").has_value());
  EXPECT_THROW(paraphrase("llm", "What is X?"), Error);
  EXPECT_EQ(paraphrase_templates().front().name, "original");
}

TEST(Relearn, DocumentSplitKeepsDocumentsTogetherAndIsSeeded) {
  EXPECT_EQ(document_of("abc-123sc1"), "abc-123");
  EXPECT_EQ(document_of("abc-123qa4"), "abc-123");
  EXPECT_EQ(document_of("plain"), "plain");
  std::vector<io::Record> rows;
  for (int d = 0; d < 20; ++d)
    for (const char* s : {"sc1", "qa0", "qa1"}) rows.push_back({cat("doc", d, "-", s), "in", "out", "Task2", "forget"});
  auto a = split_by_document(rows, 0.1, 7, "test");
  EXPECT_EQ(a.documents, 20u);
  EXPECT_EQ(a.attack_documents.size(), 2u);
  EXPECT_EQ(a.attack.size(), 6u);
  EXPECT_EQ(a.probe.size(), 54u);
  std::set<std::string> attack_docs(a.attack_documents.begin(), a.attack_documents.end());
  for (auto& r : a.probe) EXPECT_FALSE(attack_docs.count(document_of(r.id))) << r.id;
  EXPECT_EQ(split_by_document(rows, 0.1, 7, "test").attack_documents, a.attack_documents);
  bool differs = false;
  for (uint64_t s = 8; s < 12; ++s) differs |= split_by_document(rows, 0.1, s, "test").attack_documents != a.attack_documents;
  EXPECT_TRUE(differs);
  // Tiny fractions still take one document; one document cannot be split.
  EXPECT_EQ(split_by_document(rows, 0.001, 1, "test").attack_documents.size(), 1u);
  std::vector<io::Record> one(rows.begin(), rows.begin() + 3);
  EXPECT_THROW(split_by_document(one, 0.1, 1, "f.jsonl"), Error);
  EXPECT_THROW(split_by_document(rows, 1.0, 1, "f.jsonl"), Error);
}

TEST(Relearn, RecoveryRatioAndEvalSteps) {
  EXPECT_DOUBLE_EQ(recovery_ratio(0.1, 0.5, 0.9, 0.05), 0.5);
  EXPECT_DOUBLE_EQ(recovery_ratio(0.1, 0.1, 0.9, 0.05), 0.0);
  EXPECT_TRUE(std::isnan(recovery_ratio(0.88, 0.9, 0.9, 0.05)));  // nothing was removed
  EXPECT_EQ(relearn_eval_steps(20), (std::vector<int64_t>{0, 5, 10, 20}));
  EXPECT_EQ(relearn_eval_steps(2), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(parse_attacks({"quantize", "relearn"}), (std::vector<std::string>{"relearn", "quantize"}));
  EXPECT_EQ(parse_attacks({"all"}).size(), 3u);
  EXPECT_THROW(parse_attacks({"prune"}), Error);
}

namespace {

eval::EvalRunOptions attack_eval_options(const std::string& out, const std::string& adapter) {
  eval::EvalRunOptions o;
  o.model_dir = test::tiny_model_dir();
  o.adapter_dir = adapter;
  o.forget = test::shared_path("data/semeval25/forget_train-00000-of-00001.parquet");
  o.retain = test::shared_path("data/semeval25/retain_train-00000-of-00001.parquet");
  o.out_dir = out;
  o.dtype = "fp32";
  o.limit = 12;
  o.generation.max_new_tokens = 4;
  o.generation.batch_size = 6;
  return o;
}

AttackOptions small_attacks(const std::string& out, uint64_t seed) {
  AttackOptions a;
  a.attacks = attack_names();
  a.dtype = "fp32";
  a.generation.max_new_tokens = 4;
  a.generation.batch_size = 6;
  a.relearn.steps = 2;
  a.relearn.fraction = 0.3;
  a.relearn.lr = 1e-2;
  a.seed = seed;
  a.out_dir = out;
  return a;
}

// A PEFT adapter with non-zero B on the tiny model, so "model" differs from "reference".
std::string tiny_adapter() {
  static const std::string dir = [] {
    auto m = model::CausalLM::load(test::tiny_model_dir());
    m->add_lora(model::LoraConfig{}, 5);
    torch::NoGradGuard ng;
    for (auto& [k, p] : m->lora()->modules) p.B.normal_(0, 0.05);
    std::string d = test::temp_dir("attacks_adapter") + "/adapter";
    model::save_adapter(*m, d);
    return d;
  }();
  return dir;
}

json without_timing(json j) {
  j.erase("timing_s");
  return j;
}

}  // namespace

TEST(Quantize, UpdateAgainstGridCountsMovedCodesAndSteps) {
  // One row, one group of 4 at int4 (qmax 7): w0 = [7, 1, 0, -3] has scale 1.
  const std::string n = "model.layers.0.mlp.up_proj.weight";
  auto w0 = torch::tensor({7.f, 1.f, 0.f, -3.f}).view({1, 4});
  auto w1 = torch::tensor({7.f, 1.4f, 0.6f, -3.f}).view({1, 4});  // same max: scale 1; 0.6 rounds to 1
  std::map<std::string, torch::Tensor> base = {{n, w0}, {"model.embed_tokens.weight", torch::ones({2, 2})}},
                                       upd = {{n, w1}, {"model.embed_tokens.weight", torch::zeros({2, 2})}};
  auto u = update_against_grid(base, upd, 4, 4);
  EXPECT_EQ(u.tensors, 1);  // the embedding differs but is never quantised
  EXPECT_EQ(u.elements, 4);
  EXPECT_DOUBLE_EQ(u.codes_changed, 0.25);                   // only 0 → 0.6 crossed a rounding boundary
  EXPECT_NEAR(u.update_in_steps, (0.4 + 0.6) / 4, 1e-6);     // 1.4 rounds back to 1: hidden by the grid
  // An update far below half a step changes no code: the quantised models are the same.
  auto tiny = update_against_grid(base, {{n, w0 + 1e-3}}, 4, 4);
  EXPECT_EQ(tiny.codes_changed, 0.0);
  EXPECT_EQ(update_against_grid(base, base, 4, 4).tensors, 0);  // unchanged weights are skipped
}

TEST(EvalAttack, WritesEverySectionAndIsDeterministicUnderSeed) {
  std::string out = test::temp_dir("attacks_e2e");
  auto e = attack_eval_options(out + "/a", tiny_adapter());
  json a = eval::eval_attack(e, small_attacks(out + "/a", 1));
  for (const char* f : {"attacks.json", "relearn_rows.jsonl", "quantize_rows.jsonl", "paraphrase_rows.jsonl", "run.json"})
    EXPECT_TRUE(path_exists(out + "/a/" + f)) << f;
  // relearn: three probe points (0, 1, 2) for the model and the default reference.
  ASSERT_TRUE(a.contains("relearn"));
  EXPECT_EQ(a["reference"], "model without adapter");
  EXPECT_EQ(a["relearn"]["curves"]["model"].size(), 3u);
  EXPECT_EQ(a["relearn"]["curves"]["reference"].size(), 3u);
  ASSERT_TRUE(a["relearn"]["recovery"].contains("model"));
  for (const char* k : {"headline", "headline_kind", "max_over_steps", "score", "knowledge", "nll"})
    EXPECT_TRUE(a["relearn"]["recovery"]["model"].contains(k)) << k;
  EXPECT_EQ(a["relearn"]["recovery_ratio"], a["relearn"]["recovery"]["model"]["headline"]);
  const size_t probes = a["relearn"]["probe_rows"].get<size_t>();
  EXPECT_EQ(io::read_jsonl(out + "/a/relearn_rows.jsonl").size(), probes * 3 * 2);
  // quantize: unquantised + int8 + int4, each with its change from the unquantised model.
  for (const char* v : {"unquantized", "int8", "int4"}) EXPECT_TRUE(a["quantize"]["variants"].contains(v)) << v;
  EXPECT_TRUE(a["quantize"]["variants"]["int4"]["change"].contains("task_aggregate"));
  EXPECT_GT(a["quantize"]["quantized_tensors"].get<int64_t>(), 0);
  const json& g = a["quantize"]["variants"]["int4"]["update_vs_grid"];  // the adapter's update against the grid
  EXPECT_GT(g["tensors"].get<int64_t>(), 0);
  EXPECT_GE(g["codes_changed"].get<double>(), 0.0);
  EXPECT_LE(g["codes_changed"].get<double>(), 1.0);
  EXPECT_GE(a["quantize"]["variants"]["int8"]["update_vs_grid"]["codes_changed"].get<double>(),
            g["codes_changed"].get<double>());  // a finer grid sees at least as many moved codes
  // paraphrase: every template for the model and the reference.
  for (const auto& t : paraphrase_templates()) EXPECT_TRUE(a["paraphrase"]["models"]["model"].contains(t.name)) << t.name;
  // Same seed, same numbers; another seed, another document split.
  json b = eval::eval_attack(attack_eval_options(out + "/b", tiny_adapter()), small_attacks(out + "/b", 1));
  EXPECT_EQ(without_timing(a).dump(), without_timing(b).dump());
  EXPECT_EQ(io::read_jsonl(out + "/a/relearn_rows.jsonl"), io::read_jsonl(out + "/b/relearn_rows.jsonl"));
  auto c = small_attacks(out + "/c", 2);
  c.attacks = {"relearn"};
  json cj = eval::eval_attack(attack_eval_options(out + "/c", tiny_adapter()), c);
  EXPECT_NE(cj["relearn"]["attack_documents"], a["relearn"]["attack_documents"]);
  EXPECT_FALSE(path_exists(out + "/c/quantize_rows.jsonl"));
}

TEST(EvalAttack, EvalRunAttacksReuseTheEvaluationAndExtendMetrics) {
  std::string out = test::temp_dir("attacks_evalrun") + "/out";
  auto e = attack_eval_options(out, tiny_adapter());
  auto a = small_attacks(out, 1);
  a.attacks = {"quantize"};
  e.attacks = a;
  auto r = eval::eval_run(e);
  ASSERT_TRUE(r.attacks.is_object());
  // The unquantised variant is the plain evaluation itself.
  EXPECT_DOUBLE_EQ(r.attacks["quantize"]["variants"]["unquantized"]["task_aggregate"].get<double>(),
                   r.score.task_aggregate);
  auto m = nlohmann::json::parse(read_file(out + "/metrics.json"));
  ASSERT_TRUE(m.contains("attacks"));
  EXPECT_TRUE(m["attacks"].contains("quantize_int4"));
}
