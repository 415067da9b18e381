// bench/unlearn_bench — LIBU cost on an `init --preset` OLMo (random weights), T tokens per
// row, one JSON line per case:
//   phase1: one Fisher + forget-gradient pass (running sums) over R retain and F forget rows:
//           tokens/s, peak RSS, model FLOPs utilisation against the measured bf16 GEMM peak;
//   phase2: S optimizer steps of the shared trainer (gd objective, SophiaG, batch 1).
// Usage: unlearn_bench [--preset 1b|7b] [--T 256] [--rows 2] [--steps 3] [--case all|phase1]
#include <torch/torch.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "bench_common.h"
#include "libu/core/log.h"
#include "libu/core/timing.h"
#include "libu/model/export.h"
#include "libu/model/runtime.h"
#include "libu/unlearn/fisher.h"
#include "libu/unlearn/trainer.h"

using namespace libu;

namespace {

std::vector<data::Example> random_rows(int64_t n, int64_t T, int64_t vocab, int64_t seed) {
  torch::manual_seed(seed);
  std::vector<data::Example> out;
  for (int64_t i = 0; i < n; ++i) {
    auto t = torch::randint(2, vocab, {T}, torch::kLong);
    data::Example e;
    e.ids.assign(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + T);
    e.loss.assign(size_t(T), 1);
    out.push_back(e);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::run_main([&] {
    std::map<std::string, std::string> a = {{"preset", "1b"}, {"T", "256"},    {"rows", "2"},
                                            {"steps", "3"},   {"case", "all"}, {"threads", "0"}};
    for (int i = 1; i + 1 < argc; i += 2) a[std::string(argv[i]).substr(2)] = argv[i + 1];
    model::set_threads(std::stoi(a["threads"]));
    set_log_level(LogLevel::Warn);
    int64_t T = std::stoll(a["T"]), R = std::stoll(a["rows"]);
    double peak = bench::gemm_peak_max(torch::kBFloat16, 3);
    auto cfg = model::preset_config("olmo", a["preset"], 0);
    model::CausalLM m(cfg, model::init_weights(cfg, 0, torch::kBFloat16));
    model::LoraConfig lc;
    lc.r = 16;
    m.add_lora(lc, 0);
    unlearn::UnlearnData d;
    d.forget = random_rows(R, T, cfg.vocab_size, 1);
    d.retain = random_rows(R, T, cfg.vocab_size, 2);
    d.pad_id = 1;
    Timer t1;
    auto s = unlearn::influence_stats(m, d, 1, 1);
    unlearn::influence_step(m, s, 1e-4, 1e-4, +1.0);
    double p1 = t1.seconds(), fl = bench::lora_step_flops(cfg, 1, T) * double(2 * R);
    std::cout << nlohmann::json{{"bench", "libu_phase1"},
                                {"preset", a["preset"]},
                                {"T", T},
                                {"rows", 2 * R},
                                {"threads", model::threads()},
                                {"seconds", p1},
                                {"tokens_per_s", double(2 * R * T) / p1},
                                {"mfu", fl / p1 / 1e9 / peak},
                                {"peak_gflops_bf16", peak},
                                {"lora_params", m.lora()->num_parameters()},
                                {"peak_rss_mb", peak_rss_bytes() / 1e6}}
                     .dump()
              << std::endl;
    if (a["case"] != "all") return 0;
    unlearn::TrainerOptions o;
    o.objective = unlearn::Objective::GD;
    o.optimizer = "sophia";
    o.optimizer_options.sophia = optim::SophiaOptions::defaults(optim::SophiaVariant::G);
    o.schedule.base_lr = 1e-4;
    o.max_steps = std::stoll(a["steps"]);
    o.out_dir = "/tmp/libu-unlearn-bench";
    unlearn::PlanOptions po;
    po.epochs = 10;
    Timer t2;
    unlearn::Trainer(m, d, unlearn::interleaved_plan(d, po), o).run();
    double p2 = t2.seconds();
    std::cout << nlohmann::json{{"bench", "libu_phase2"},
                                {"preset", a["preset"]},
                                {"T", T},
                                {"steps", o.max_steps},
                                {"threads", model::threads()},
                                {"seconds", p2},
                                {"tokens_per_s", double(o.max_steps * T) / p2},
                                {"mfu", bench::lora_step_flops(cfg, 1, T) * double(o.max_steps) / p2 / 1e9 / peak},
                                {"peak_rss_mb", peak_rss_bytes() / 1e6}}
                     .dump()
              << std::endl;
    return 0;
  });
}
