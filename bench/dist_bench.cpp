// bench/dist_bench — data-parallel cost of a LoRA step (issue #13). One JSON line from rank 0.
//
// A step is a global batch of --global-batch sequences (B=1 each, T tokens) on an
// `init --preset` OLMo with LoRA r16 on q/k/v/o: each of W ranks runs global-batch / W
// micro-batches (forward + backward through the lean head), then the LoRA gradients are
// summed with one flattened Gloo all-reduce (dist::all_reduce_sum, the trainer's path).
// Reported per step (medians): compute, the wait for the slowest rank (a barrier), the
// all-reduce itself, and its share of the step; then an all-reduce sweep over sizes, with the
// ring "bus bandwidth" 2(W−1)/W · bytes / time, for the scaling estimate in docs/BENCHMARKS.md.
//
// Run alone:       dist_bench --threads 2                      (1 rank × 2 threads)
// Run on 2 ranks:  libu launch --nproc 2 -- build/bin/dist_bench --threads 1
// Options: --preset tiny|1b|7b (1b) --T 256 --dtype bf16|fp32 (bf16) --steps 3 --global-batch 2
//          --sweep 4194304,16777216 (values per all-reduce in the sweep; "" = none)
#include <torch/torch.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench_common.h"
#include "libu/core/timing.h"
#include "libu/dist/dist.h"
#include "libu/model/causal_lm.h"
#include "libu/model/export.h"
#include "libu/model/lm_head.h"
#include "libu/model/runtime.h"

using namespace libu;
using namespace libu::model;

namespace {

std::map<std::string, std::string> parse_args(int argc, char** argv) {
  std::map<std::string, std::string> a = {{"preset", "1b"}, {"T", "256"},   {"dtype", "bf16"}, {"steps", "3"},
                                          {"threads", "0"}, {"global-batch", "2"}, {"sweep", "4194304,16777216"}};
  for (int i = 1; i + 1 < argc; i += 2) a[std::string(argv[i]).substr(2)] = argv[i + 1];
  return a;
}

double timed(const std::function<void()>& f) {
  Timer t;
  f();
  return t.seconds();
}

// Ring all-reduce of n fp32 values: median seconds over 5 runs (after one warm-up).
double allreduce_seconds(int64_t n) {
  std::vector<torch::Tensor> buf = {torch::ones({n}, torch::kFloat)};
  std::vector<double> t;
  for (int i = 0; i < 6; ++i) {
    dist::barrier();
    double s = timed([&] { dist::all_reduce_sum(buf); });
    if (i > 0) t.push_back(s);
  }
  return bench::median(t);
}

}  // namespace

int main(int argc, char** argv) {
  return bench::run_main([&] {
    auto a = parse_args(argc, argv);
    dist::init({"gloo", 600}, torch::kCPU);
    const int W = dist::world_size();
    int threads = std::stoi(a["threads"]);
    set_threads(threads > 0 ? threads : std::max(1, int(std::thread::hardware_concurrency()) / W));
    const int64_t T = std::stoll(a["T"]), G = std::stoll(a["global-batch"]);
    if (G % W != 0) throw std::runtime_error("--global-batch must be a multiple of the number of ranks");
    auto dt = parse_dtype(a["dtype"]);
    auto cfg = preset_config("olmo", a["preset"], 0);
    CausalLM m(cfg, init_weights(cfg, 0, dt));
    LoraConfig lc;
    lc.r = 16;
    lc.alpha = 32;  // q/k/v/o (the default targets)
    m.add_lora(lc, 0);
    m.set_training(true);
    auto params = m.lora()->parameters();
    int64_t values = 0;
    for (auto& p : params) values += p.numel();
    std::vector<double> compute, wait, reduce, total;
    for (int s = 0; s < std::stoi(a["steps"]) + 1; ++s) {
      double c = timed([&] {
        for (int64_t k = 0; k < G / W; ++k) {
          torch::manual_seed(uint64_t(s * G + k * W + dist::rank()));
          auto ids = torch::randint(0, cfg.vocab_size, {1, T}, torch::kLong);
          lean_causal_lm_loss(m, ids, {}, ids).backward();
        }
      });
      double w = timed([] { dist::barrier(); });
      std::vector<torch::Tensor> grads;
      for (auto& p : params) grads.push_back(p.grad());
      double r = timed([&] { dist::all_reduce_sum(grads); });
      for (auto& p : params) p.mutable_grad().zero_();
      if (s == 0) continue;  // warm-up
      compute.push_back(c), wait.push_back(w), reduce.push_back(r), total.push_back(c + w + r);
    }
    nlohmann::json sweep = nlohmann::json::array();
    std::stringstream ss(a["sweep"]);
    for (std::string tok; std::getline(ss, tok, ',');) {
      if (tok.empty()) continue;
      int64_t n = std::stoll(tok);
      double sec = allreduce_seconds(n);
      double bus = W > 1 ? 2.0 * (W - 1) / W * double(n) * 4 / sec / 1e9 : 0.0;
      sweep.push_back({{"values", n}, {"mb", double(n) * 4 / 1e6}, {"ms", sec * 1e3}, {"bus_gb_per_s", bus}});
    }
    if (!dist::is_main()) {
      dist::shutdown();
      return 0;
    }
    double step = bench::median(total);
    nlohmann::json j = {{"bench", "dist_lora_step"},
                        {"preset", a["preset"]},
                        {"dtype", dtype_str(dt)},
                        {"T", T},
                        {"global_batch", G},
                        {"ranks", W},
                        {"threads_per_rank", libu::model::threads()},
                        {"backend", dist::backend_name()},
                        {"lora_values", values},
                        {"step_s_median", step},
                        {"compute_s_median", bench::median(compute)},
                        {"wait_s_median", bench::median(wait)},
                        {"allreduce_ms_median", bench::median(reduce) * 1e3},
                        {"allreduce_share", bench::median(reduce) / step},
                        {"tokens_per_s", double(G * T) / step},
                        {"allreduce_sweep", sweep},
                        {"peak_rss_mb", peak_rss_bytes() / 1e6}};
    std::cout << j.dump() << std::endl;
    dist::shutdown();
    return 0;
  });
}
