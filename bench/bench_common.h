// bench/bench_common.h — shared by the bench programs: medians, the measured GEMM peak and
// the FLOP count of a LoRA training step (the denominator of every MFU figure).
#pragma once
#include <torch/torch.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>
#include <vector>

#include "libu/core/error.h"
#include "libu/core/timing.h"
#include "libu/model/config.h"

namespace libu::bench {

// Current resident set size in bytes (/proc/self/statm; 0 where unavailable).
inline int64_t current_rss_bytes() {
  std::ifstream f("/proc/self/statm");
  int64_t size = 0, resident = 0;
  if (!(f >> size >> resident)) return 0;
  return resident * int64_t(sysconf(_SC_PAGESIZE));
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median GFLOP/s of an n×n×n matmul in `dt` (one warm-up call).
inline double gemm_peak(c10::ScalarType dt, int64_t n, int reps) {
  auto a = torch::randn({n, n}).to(dt), b = torch::randn({n, n}).to(dt);
  torch::matmul(a, b);
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    Timer tm;
    auto c = torch::matmul(a, b);
    t.push_back(tm.seconds());
  }
  return 2.0 * double(n) * double(n) * double(n) / median(t) / 1e9;
}

// The machine's peak for `dt`: the maximum over n ∈ {1024, 2048, 4096} (on this machine
// oneDNN's bf16 matmul is fastest at 1024²–2048² and slower at 4096²; issue #12).
inline double gemm_peak_max(c10::ScalarType dt, int reps) {
  double best = 0;
  for (int64_t n : {1024, 2048, 4096}) best = std::max(best, gemm_peak(dt, n, reps));
  return best;
}

// FLOPs of one LoRA step on B rows of T tokens: linear layers 2·N·tokens forward +
// 2·N·tokens for input gradients (the frozen base needs no weight gradients), attention
// 4·L·T²·D forward ×3 (forward + backward).
inline double lora_step_flops(const model::ModelConfig& c, int64_t B, int64_t T) {
  double D = double(c.hidden_size), q = double(c.num_heads * c.head_dim), kv = double(c.num_kv_heads * c.head_dim);
  double per_layer = D * q + 2 * D * kv + q * D + 3 * D * double(c.intermediate_size);
  double n_linear = double(c.num_layers) * per_layer + double(c.vocab_size) * D;
  double tokens = double(B * T);
  return 4.0 * n_linear * tokens + 3.0 * 4.0 * double(c.num_layers) * double(T) * double(T) * D * double(B);
}

// Runs a bench body; a libu::Error (bad flag, mismatched tokenizer, ...) is printed as
// "error: ..." with exit code 1 instead of terminating the program.
inline int run_main(const std::function<int()>& body) {
  try {
    return body();
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace libu::bench
