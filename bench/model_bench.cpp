// bench/model_bench — one JSON line per case:
//   gemm:  the measured bf16 / fp32 square-matmul peak of this machine (GFLOP/s);
//   step:  a LoRA forward+backward training step (r 24, q/k/v/o, like the PyTorch peer
//          shared/bench/pytorch_peer_lora_step.py) on an `init --preset` model, with
//          tokens/s, GFLOP/s and model FLOPs utilisation against the measured peak.
// Usage: model_bench [--case gemm|step|all] [--preset tiny|1b|7b] [--T 256] [--B 1]
//                    [--dtype bf16|fp32|both] [--steps 3] [--threads N] [--checkpointing]
#include <torch/torch.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_common.h"
#include "libu/core/timing.h"
#include "libu/model/causal_lm.h"
#include "libu/model/export.h"
#include "libu/model/loss.h"
#include "libu/model/runtime.h"

using namespace libu;
using namespace libu::model;

namespace {

std::map<std::string, std::string> parse_args(int argc, char** argv) {
  std::map<std::string, std::string> a = {{"case", "all"},  {"preset", "1b"},           {"T", "256"},
                                          {"B", "1"},       {"dtype", "both"},          {"steps", "3"},
                                          {"threads", "0"}, {"checkpointing", "false"}, {"n", "4096"}};
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0) continue;
    k = k.substr(2);
    if (k == "checkpointing")
      a[k] = "true";
    else if (i + 1 < argc)
      a[k] = argv[++i];
  }
  return a;
}

nlohmann::json bench_step(const std::string& preset, c10::ScalarType dt, int64_t B, int64_t T, int steps, bool ckpt,
                          double peak) {
  auto cfg = preset_config("olmo", preset, 0);
  CausalLM m(cfg, init_weights(cfg, 0, dt));
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
  double sec = bench::median(times), fl = bench::lora_step_flops(cfg, B, T);
  return {{"bench", "lora_step"},
          {"impl", "libu"},
          {"preset", preset},
          {"dtype", dtype_str(dt)},
          {"B", B},
          {"T", T},
          {"threads", threads()},
          {"checkpointing", ckpt},
          {"steps", steps},
          {"step_s_median", sec},
          {"tokens_per_s", double(B * T) / sec},
          {"gflops", fl / sec / 1e9},
          {"peak_gflops", peak},
          {"mfu", fl / sec / 1e9 / peak},
          {"peak_rss_mb", peak_rss_bytes() / 1e6}};
}

}  // namespace

int main(int argc, char** argv) {
  return bench::run_main([&] {
    auto a = parse_args(argc, argv);
    set_threads(std::stoi(a["threads"]));
    std::vector<c10::ScalarType> dts;
    if (a["dtype"] == "both" || a["dtype"] == "bf16") dts.push_back(torch::kBFloat16);
    if (a["dtype"] == "both" || a["dtype"] == "fp32") dts.push_back(torch::kFloat);
    std::map<c10::ScalarType, double> peaks;
    for (auto dt : dts) {
      peaks[dt] = bench::gemm_peak(dt, std::stoll(a["n"]), 5);
      if (a["case"] == "all" || a["case"] == "gemm")
        std::cout << nlohmann::json{{"bench", "gemm_peak"},
                                    {"dtype", dtype_str(dt)},
                                    {"n", std::stoll(a["n"])},
                                    {"threads", threads()},
                                    {"gflops", peaks[dt]}}
                         .dump()
                  << std::endl;
    }
    if (a["case"] == "all" || a["case"] == "step")
      for (auto dt : dts)
        std::cout << bench_step(a["preset"], dt, std::stoll(a["B"]), std::stoll(a["T"]), std::stoi(a["steps"]),
                                a["checkpointing"] == "true", peaks[dt])
                         .dump()
                  << std::endl;
    return 0;
  });
}
