// Parity against the outside reference fixtures (../shared/fixtures/models/*), which were
// produced by an independent PyTorch implementation of the HF forward semantics.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/device.h"
#include "common/shared.h"
#include "libu/core/error.h"
#include "libu/model/causal_lm.h"
#include "libu/model/loss.h"
#include "libu/model/parity.h"
#include "libu/model/peft_io.h"
#include "libu/model/tensor_io.h"

using namespace libu;
using namespace libu::model;
namespace fsys = std::filesystem;

class Parity : public ::testing::TestWithParam<std::string> {};

TEST_P(Parity, LogitsLossAndLoraGradsMatchReference) {
  std::string dir = test::shared_path("fixtures/models/" + GetParam());
  ParityOptions po;
  po.device = test::device_name();  // LIBU_TEST_DEVICE: fp32 on CUDA keeps the CPU tolerances (no TF32 in matmul)
  auto r = run_parity(dir, dir + "/expected.safetensors", dir + "/adapter", po);
  SCOPED_TRACE(r.dump());
  EXPECT_LE(r["logits_max_abs_err"].get<double>(), 1e-4);
  EXPECT_LE(r["loss_abs_err"].get<double>(), 1e-4);
  EXPECT_LE(r["lora_logits_max_abs_err"].get<double>(), 1e-4);
  EXPECT_LE(r["lora_loss_abs_err"].get<double>(), 1e-4);
  EXPECT_LE(r["grad_max_rel_err"].get<double>(), 1e-3);
  EXPECT_GT(r["grad_tensors"].get<int>(), 0);
  EXPECT_TRUE(r["ok"].get<bool>());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Parity, ::testing::Values("olmo-tiny", "llama-tiny-gqa-bf16", "olmo2-tiny"));

// Copy a fixture, perturb one weight, and check that parity fails: proves the test can fail.
TEST(ParityCanFail, CorruptedWeightIsDetected) {
  std::string src = test::shared_path("fixtures/models/olmo-tiny");
  std::string dir = test::temp_dir("corrupt");
  fsys::copy_file(src + "/config.json", dir + "/config.json");
  auto w = read_tensors(src + "/model.safetensors");
  w["model.layers.1.mlp.down_proj.weight"].index_put_({0, 0}, w["model.layers.1.mlp.down_proj.weight"][0][0] + 0.05);
  write_tensors(dir + "/model.safetensors", w);
  auto r = run_parity(dir, src + "/expected.safetensors", "", {});
  EXPECT_FALSE(r["ok"].get<bool>()) << r.dump();
  EXPECT_GT(r["logits_max_abs_err"].get<double>(), 1e-4);
}

// bf16 compute stays close to the fp32 reference. Measured bound: see the assertion.
TEST(Bf16, LogitsStayCloseToFp32) {
  std::string dir = test::shared_path("fixtures/models/llama-tiny-gqa-bf16");
  auto exp = read_tensors(dir + "/expected.safetensors");
  LoadOptions lo;
  lo.dtype = torch::kBFloat16;
  auto m = CausalLM::load(dir, lo);
  torch::NoGradGuard ng;
  auto logits = m->forward(exp["input_ids"], exp["attention_mask"]);
  auto mask = exp["attention_mask"].to(torch::kFloat).unsqueeze(-1);
  double err = ((logits - exp["logits"]).abs() * mask).max().item<double>();
  double scale = exp["logits"].abs().max().item<double>();
  RecordProperty("bf16_max_abs_err", std::to_string(err));
  EXPECT_LT(err, 2e-2 * std::max(1.0, scale)) << "bf16 err " << err << " logits scale " << scale;
  double loss_err = std::abs(causal_lm_loss(logits, exp["labels"]).item<double>() - exp["loss"].item<double>());
  EXPECT_LT(loss_err, 2e-2);
}
