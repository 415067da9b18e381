// bench/model_bench — one JSON line per case:
//   gemm:  the measured bf16 / fp32 square-matmul peak of this machine (GFLOP/s);
//   step:  a LoRA forward+backward training step (r 24, q/k/v/o, like the PyTorch peer
//          shared/bench/pytorch_peer_lora_step.py) on an `init --preset` model, with
//          tokens/s, GFLOP/s and model FLOPs utilisation against the measured peak;
//   tiny-train: full fine-tuning steps/s (forward, backward, AdamW) of the demo-shaped tiny
//          model at --vocab V (default 4096, the demo's) on --B ragged rows of --min-len..--max-len
//          tokens: packed rows + lean head against the padded batch + full logits (the path
//          before issue #12), run alternately in one invocation.
// The peak is the maximum over n in {1024, 2048, 4096} of an n^3 matmul (or only --n when given).
// Usage: model_bench [--case gemm|step|tiny-train|all] [--preset tiny|1b|7b] [--T 256] [--B 1]
//                    [--dtype bf16|fp32|both] [--steps 3] [--threads N] [--checkpointing]
//                    [--device cpu|cuda (step)] [--vocab V] [--min-len 12 --max-len 72 (tiny-train)] [--keep-mb M (lean head keep budget)] [--n N] [--profile TRACE.json (tiny-train)] [--head lean|full (step)]
#include <torch/torch.h>
#include <torch/csrc/autograd/profiler_legacy.h>

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
#include "libu/model/lm_head.h"
#include "libu/model/loss.h"
#include "libu/model/packing.h"
#include "libu/model/runtime.h"

using namespace libu;
using namespace libu::model;

namespace {

std::map<std::string, std::string> parse_args(int argc, char** argv) {
  std::map<std::string, std::string> a = {{"case", "all"},  {"preset", "1b"},           {"T", "256"},
                                          {"B", "1"},       {"dtype", "both"},          {"steps", "3"},
                                          {"threads", "0"}, {"checkpointing", "false"}, {"n", "0"},
                                          {"vocab", "0"},   {"profile", ""},              {"head", "lean"},
                                          {"min-len", "12"}, {"max-len", "72"}, {"keep-mb", ""},
                                          {"device", "cpu"}};
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
                          double peak, bool lean, const c10::Device& dev) {
  auto cfg = preset_config("olmo", preset, 0);
  auto w = init_weights(cfg, 0, dt);
  for (auto& kv : w) kv.second = kv.second.to(dev);
  CausalLM m(cfg, std::move(w));
  LoraConfig lc;
  lc.r = 24;
  lc.alpha = 32;
  m.add_lora(lc, 0);
  m.set_training(true);
  m.set_checkpointing(ckpt);
  auto ids = torch::randint(0, cfg.vocab_size, {B, T}, torch::kLong).to(dev);
  std::vector<double> times;
  for (int s = 0; s < steps + 1; ++s) {
    Timer tm;
    auto loss = lean ? lean_causal_lm_loss(m, ids, {}, ids) : causal_lm_loss(m.forward(ids), ids);
    loss.backward();
    auto params = m.lora()->parameters();
    (void)params.front().grad().sum().item<double>();  // waits for the device (a no-op on CPU)
    for (auto& p : params) p.mutable_grad().zero_();
    if (s > 0) times.push_back(tm.seconds());  // step 0 is warm-up
  }
  double sec = bench::median(times), fl = bench::lora_step_flops(cfg, B, T);
  return {{"bench", "lora_step"},
          {"impl", "libu"},
          {"preset", preset},
          {"device", dev.str()},
          {"dtype", dtype_str(dt)},
          {"B", B},
          {"T", T},
          {"threads", threads()},
          {"checkpointing", ckpt},
          {"head", lean ? "lean" : "full-logits"},
          {"steps", steps},
          {"step_s_median", sec},
          {"tokens_per_s", double(B * T) / sec},
          {"gflops", fl / sec / 1e9},
          {"peak_gflops", peak},
          {"mfu", fl / sec / 1e9 / peak},
          {"peak_rss_mb", peak_rss_bytes() / 1e6}};
}

// A ragged, right-padded batch of B rows whose token counts are uniform in [lo, hi] (the
// demo's rows: 45-254 characters, about 12-72 tokens), labels on every real token.
struct RaggedBatch {
  torch::Tensor ids, mask, labels;  // [B, T]
  int64_t tokens = 0;
};
RaggedBatch ragged_batch(int64_t vocab, int64_t B, int64_t lo, int64_t hi, uint64_t seed) {
  torch::manual_seed(seed);
  auto lens = torch::randint(lo, hi + 1, {B}, torch::kLong);
  int64_t T = lens.max().item<int64_t>();
  RaggedBatch r{torch::zeros({B, T}, torch::kLong), torch::zeros({B, T}, torch::kLong),
                torch::full({B, T}, kIgnoreIndex, torch::kLong), 0};
  for (int64_t b = 0; b < B; ++b) {
    int64_t n = lens[b].item<int64_t>();
    auto row = torch::randint(0, vocab, {n}, torch::kLong);
    r.ids[b].narrow(0, 0, n).copy_(row);
    r.mask[b].narrow(0, 0, n).fill_(1);
    r.labels[b].narrow(0, 0, n).copy_(row);
    r.tokens += n;
  }
  return r;
}

// The two paths of a training step: "packed" (issue #12: packed rows, lean head) and
// "padded" (before: the padded batch through full [B, T, V] logits).
double tiny_step_seconds(CausalLM& m, torch::optim::AdamW& opt, const RaggedBatch& b, bool packed) {
  Timer tm;
  set_packing_options({packed, 1024});
  auto loss = packed ? lean_causal_lm_loss(m, b.ids, b.mask, b.labels)
                     : causal_lm_loss(m.forward(b.ids, b.mask), b.labels);
  opt.zero_grad();
  loss.backward();
  opt.step();
  return tm.seconds();
}

// Chrome trace (libtorch's autograd profiler) of `steps` packed steps, for docs/BENCHMARKS.md's
// op table (scripts/profile-top-ops.py sums it per op).
void profile_tiny_train(CausalLM& m, torch::optim::AdamW& opt, const RaggedBatch& b, int steps,
                        const std::string& path) {
  torch::autograd::profiler::RecordProfile guard(path);
  for (int s = 0; s < steps; ++s) tiny_step_seconds(m, opt, b, true);
}

// Full fine-tuning (fp32, AdamW) of the demo-shaped tiny model on B ragged rows of lo..hi
// tokens, packed and padded alternately in one invocation.
std::vector<nlohmann::json> bench_tiny_train(int64_t vocab, int64_t B, int64_t lo, int64_t hi, int steps,
                                             const std::string& profile) {
  auto cfg = preset_config("olmo", "tiny", vocab);
  CausalLM m(cfg, init_weights(cfg, 0, torch::kFloat));
  m.enable_full_training();
  m.set_training(true);
  std::vector<torch::Tensor> params;
  for (auto& [n, t] : m.trainable()) params.push_back(t);
  torch::optim::AdamW opt(params, torch::optim::AdamWOptions(1e-4));
  auto batch = ragged_batch(cfg.vocab_size, B, lo, hi, 0);
  std::map<bool, std::vector<double>> t;
  for (bool packed : {true, false}) tiny_step_seconds(m, opt, batch, packed);  // warm-up
  for (int s = 0; s < steps; ++s)
    for (bool packed : {true, false}) t[packed].push_back(tiny_step_seconds(m, opt, batch, packed));
  if (!profile.empty()) profile_tiny_train(m, opt, batch, 3, profile);
  std::vector<nlohmann::json> out;
  for (bool packed : {true, false})
    out.push_back({{"bench", "tiny_train_step"},
                   {"path", packed ? "packed+lean-head" : "padded+full-logits"},
                   {"vocab", cfg.vocab_size},
                   {"B", B},
                   {"row_tokens", std::to_string(lo) + "-" + std::to_string(hi)},
                   {"real_tokens", batch.tokens},
                   {"padded_tokens", batch.ids.numel()},
                   {"threads", threads()},
                   {"steps", steps},
                   {"step_s_median", bench::median(t[packed])},
                   {"steps_per_s", 1.0 / bench::median(t[packed])},
                   {"speedup_vs_padded", bench::median(t[false]) / bench::median(t[packed])}});
  return out;
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
    if (!a["keep-mb"].empty()) set_lean_head_keep_bytes(std::stoll(a["keep-mb"]) << 20);  // lean head's keep budget
    if (a["case"] == "tiny-train") {
      int64_t vocab = std::stoll(a["vocab"]);
      for (const auto& j : bench_tiny_train(vocab > 0 ? vocab : 4096, std::stoll(a["B"]), std::stoll(a["min-len"]),
                                            std::stoll(a["max-len"]), std::stoi(a["steps"]), a["profile"]))
        std::cout << j.dump() << std::endl;
      return 0;
    }
    std::vector<int64_t> sizes = {1024, 2048, 4096};
    if (std::stoll(a["n"]) > 0) sizes = {std::stoll(a["n"])};
    for (auto dt : dts) {
      nlohmann::json per = nlohmann::json::object();
      for (int64_t n : sizes) {
        double g = bench::gemm_peak(dt, n, 5);
        per[std::to_string(n)] = g;
        peaks[dt] = std::max(peaks[dt], g);
      }
      if (a["case"] == "all" || a["case"] == "gemm")
        std::cout << nlohmann::json{{"bench", "gemm_peak"}, {"dtype", dtype_str(dt)},   {"gflops_by_n", per},
                                    {"threads", threads()}, {"gflops", peaks[dt]}}
                         .dump()
                  << std::endl;
    }
    if (a["case"] == "all" || a["case"] == "step")
      for (auto dt : dts)
        std::cout << bench_step(a["preset"], dt, std::stoll(a["B"]), std::stoll(a["T"]), std::stoi(a["steps"]),
                                a["checkpointing"] == "true", peaks[dt], a["head"] != "full",
                                parse_device(a["device"]))
                         .dump()
                  << std::endl;
    return 0;
  });
}
