// bench/model_bench — one JSON line per case:
//   gemm:  the measured bf16 / fp32 square-matmul peak of this machine (GFLOP/s);
//   step:  a LoRA forward+backward training step (r 24, q/k/v/o, like the PyTorch peer
//          shared/bench/pytorch_peer_lora_step.py) on an `init --preset` model, with
//          tokens/s, GFLOP/s and model FLOPs utilisation against the measured peak.
// Usage: model_bench [--case gemm|step|all] [--preset tiny|1b|7b] [--T 256] [--B 1]
//                    [--dtype bf16|fp32|both] [--steps 3] [--threads N] [--checkpointing]
#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "libu/core/timing.h"
#include "libu/model/causal_lm.h"
#include "libu/model/export.h"
#include "libu/model/loss.h"
#include "libu/model/runtime.h"

using namespace libu;
using namespace libu::model;

namespace {

std::map<std::string, std::string> parse_args(int argc, char** argv) {
  std::map<std::string, std::string> a = {{"case", "all"}, {"preset", "1b"}, {"T", "256"}, {"B", "1"},
                                          {"dtype", "both"}, {"steps", "3"}, {"threads", "0"},
                                          {"checkpointing", "false"}, {"n", "4096"}};
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0) continue;
    k = k.substr(2);
    if (k == "checkpointing") a[k] = "true";
    else if (i + 1 < argc) a[k] = argv[++i];
  }
  return a;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double gemm_peak(c10::ScalarType dt, int64_t n, int reps) {
  auto a = torch::randn({n, n}).to(dt), b = torch::randn({n, n}).to(dt);
  torch::matmul(a, b);  // warm-up
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    Timer tm;
    auto c = torch::matmul(a, b);
    t.push_back(tm.seconds());
  }
  return 2.0 * n * n * n / median(t) / 1e9;
}

// FLOPs of one LoRA step: linear layers 2·N·tokens forward + 2·N·tokens for input
// gradients (frozen base: no weight gradients), attention 4·L·T²·D forward ×3 (fwd+bwd).
double step_flops(const ModelConfig& c, int64_t B, int64_t T) {
  double D = double(c.hidden_size), q = double(c.num_heads * c.head_dim), kv = double(c.num_kv_heads * c.head_dim);
  double per_layer = D * q + 2 * D * kv + q * D + 3 * D * double(c.intermediate_size);
  double n_linear = double(c.num_layers) * per_layer + double(c.vocab_size) * D;
  double tokens = double(B * T);
  return 4.0 * n_linear * tokens + 3.0 * 4.0 * double(c.num_layers) * double(T) * double(T) * D * double(B);
}

nlohmann::json bench_step(const std::string& preset, c10::ScalarType dt, int64_t B, int64_t T, int steps,
                          bool ckpt, double peak) {
  auto cfg = preset_config("olmo", preset, 0);
  auto w32 = init_weights(cfg, 0);
  std::map<std::string, torch::Tensor> w;
  for (auto& [k, v] : w32) w[k] = v.to(dt);
  w32.clear();
  CausalLM m(cfg, std::move(w));
  LoraConfig lc;
  lc.r = 24;
  lc.alpha = 32;
  m.add_lora(lc, 0);
  m.set_training(true);
  m.set_checkpointing(ckpt);
  auto ids = torch::randint(0, cfg.vocab_size, {B, T}, torch::kLong);
  std::vector<double> times;
  for (int s = 0; s < steps + 1; ++s) {
    Timer tm;
    auto loss = causal_lm_loss(m.forward(ids), ids);
    loss.backward();
    for (auto& p : m.lora()->parameters()) p.mutable_grad().zero_();
    if (s > 0) times.push_back(tm.seconds());  // step 0 is warm-up
  }
  double sec = median(times), fl = step_flops(cfg, B, T);
  return {{"bench", "lora_step"}, {"impl", "libu"}, {"preset", preset}, {"dtype", dtype_str(dt)},
          {"B", B}, {"T", T}, {"threads", threads()}, {"checkpointing", ckpt}, {"steps", steps},
          {"step_s_median", sec}, {"tokens_per_s", double(B * T) / sec}, {"gflops", fl / sec / 1e9},
          {"peak_gflops", peak}, {"mfu", fl / sec / 1e9 / peak}, {"peak_rss_mb", peak_rss_bytes() / 1e6}};
}

}  // namespace

int main(int argc, char** argv) {
  auto a = parse_args(argc, argv);
  set_threads(std::stoi(a["threads"]));
  std::vector<c10::ScalarType> dts;
  if (a["dtype"] == "both" || a["dtype"] == "bf16") dts.push_back(torch::kBFloat16);
  if (a["dtype"] == "both" || a["dtype"] == "fp32") dts.push_back(torch::kFloat);
  torch::NoGradGuard* none = nullptr;
  (void)none;
  std::map<c10::ScalarType, double> peaks;
  for (auto dt : dts) {
    peaks[dt] = gemm_peak(dt, std::stoll(a["n"]), 5);
    if (a["case"] == "all" || a["case"] == "gemm")
      std::cout << nlohmann::json{{"bench", "gemm_peak"}, {"dtype", dtype_str(dt)}, {"n", std::stoll(a["n"])},
                                  {"threads", threads()}, {"gflops", peaks[dt]}}.dump()
                << std::endl;
  }
  if (a["case"] == "all" || a["case"] == "step")
    for (auto dt : dts)
      std::cout << bench_step(a["preset"], dt, std::stoll(a["B"]), std::stoll(a["T"]), std::stoi(a["steps"]),
                              a["checkpointing"] == "true", peaks[dt]).dump()
                << std::endl;
  return 0;
}
