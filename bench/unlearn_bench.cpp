// bench/unlearn_bench — LIBU cost on an `init --preset` OLMo (random weights), T tokens per
// row, one JSON line per case:
//   phase1: one Fisher + forget-gradient pass (running sums) over R retain and F forget rows:
//           tokens/s, peak RSS, model FLOPs utilisation against the measured bf16 GEMM peak;
//   phase2: S optimizer steps of the shared trainer (gd objective, SophiaG, batch 1).
//   semeval: the SemEval per-example cost (issue #12): LIBU phase 1 (per-example retain Fisher,
//           forget gradient at --batch-size, influence step) + one epoch of phase 2 (gd, SophiaG,
//           forget/retain interleaved 1:1) on the first --rows rows of forget_train and
//           retain_train (--data, default ../shared/data/semeval25), OLMo tokenizer, bf16.
//           Prints examples/s (example-passes: every row of every forward+backward). With
//           --workload FILE it also writes every pass's token ids for the PyTorch peer
//           (bench/peers/semeval_dynamic_padding.py), so the peer runs the same rows and batches.
// Usage: unlearn_bench [--preset 1b|7b] [--T 256] [--rows 2] [--steps 3] [--case all|phase1|semeval]
//                      [--data DIR] [--tokenizer FILE] [--batch-size 4] [--packing true|false] [--checkpointing true|false] [--workload FILE]
#include <torch/torch.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "bench_common.h"
#include "libu/core/fs.h"
#include "libu/core/log.h"
#include "libu/io/records.h"
#include "libu/model/packing.h"
#include "libu/text/tokenizer.h"
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

// The first n rows of a SemEval split, tokenised like `libu unlearn` (full loss, no EOS, ≤ 1024 tokens).
std::vector<data::Example> semeval_rows(const std::string& dir, const std::string& split, const text::Tokenizer& tok,
                                        size_t n) {
  auto recs = io::load_split(dir, split);
  if (recs.size() > n) recs.resize(n);
  data::ExampleOptions eo;
  return data::build_examples(
      recs, [&](const std::string& t) {
        auto ids = tok.encode_ids(t, false);
        return std::vector<int64_t>(ids.begin(), ids.end());
      },
      eo);
}

// Every forward+backward of the run, as rows of token ids (for the peer) and counts.
struct Workload {
  nlohmann::json passes = nlohmann::json::array();
  int64_t examples = 0, tokens = 0, padded_tokens = 0;
  void add(const std::string& phase, const std::vector<data::Example>& ex, const std::vector<size_t>& rows) {
    nlohmann::json r = nlohmann::json::array();
    int64_t longest = 0;
    for (size_t i : rows) {
      r.push_back(ex[i].ids);
      tokens += int64_t(ex[i].ids.size());
      longest = std::max<int64_t>(longest, int64_t(ex[i].ids.size()));
    }
    examples += int64_t(rows.size());
    padded_tokens += longest * int64_t(rows.size());
    passes.push_back({{"phase", phase}, {"rows", r}});
  }
};

// The passes LIBU makes: phase 1 (per-example Fisher on retain, forget gradient in batches),
// then phase 2's plan, plus SophiaG's Hessian refresh (one more pass every k steps).
Workload libu_workload(const unlearn::UnlearnData& d, const std::vector<unlearn::MicroBatch>& plan, int64_t batch,
                       int64_t hessian_every) {
  Workload w;
  for (size_t i = 0; i < d.retain.size(); ++i) w.add("fisher", d.retain, {i});
  for (size_t i = 0; i < d.forget.size(); i += size_t(batch)) {
    std::vector<size_t> rows;
    for (size_t j = i; j < std::min(d.forget.size(), i + size_t(batch)); ++j) rows.push_back(j);
    w.add("forget_gradient", d.forget, rows);
  }
  for (size_t s = 0; s < plan.size(); ++s) {
    const auto& ex = plan[s].forget ? d.forget : d.retain;
    w.add("phase2", ex, plan[s].rows);
    if ((int64_t(s) + 1) % hessian_every == 0) w.add("hessian", ex, plan[s].rows);
  }
  return w;
}

int64_t weight_bytes(const model::CausalLM& m) {
  int64_t n = 0;
  for (auto& [k, w] : m.weights()) n += int64_t(w.nbytes());
  return n;
}

int semeval_case(std::map<std::string, std::string>& a, double peak) {
  const int64_t batch = std::stoll(a["batch-size"]);
  const size_t rows = size_t(std::stoll(a["rows"]));
  model::set_packing_options({a["packing"] != "false", 1024});
  auto tok = text::Tokenizer::from_file(a["tokenizer"]);
  unlearn::UnlearnData d;
  d.forget = semeval_rows(a["data"], "forget_train", tok, rows);
  d.retain = semeval_rows(a["data"], "retain_train", tok, rows);
  d.pad_id = 1;
  auto cfg = model::preset_config("olmo", a["preset"], int64_t(tok.vocab_size()) > 50304 ? int64_t(tok.vocab_size()) : 50304);
  model::CausalLM m(cfg, model::init_weights(cfg, 0, torch::kBFloat16));
  model::LoraConfig lc;
  lc.r = 16;
  lc.targets = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};  // the libu preset
  const double rss_weights = bench::current_rss_bytes() / 1e6;  // the bf16 weights (+ runtime)
  m.add_lora(lc, 0);
  m.set_checkpointing(a["checkpointing"] == "true");
  unlearn::PlanOptions po;
  po.batch_size = batch;
  po.epochs = 1;
  auto plan = unlearn::interleaved_plan(d, po);
  auto sophia = optim::SophiaOptions::defaults(optim::SophiaVariant::G);
  auto w = libu_workload(d, plan, batch, sophia.hessian_interval);
  if (!a["workload"].empty())
    write_file_atomic(a["workload"], nlohmann::json{{"batch_size", batch}, {"lora_r", lc.r}, {"lora_alpha", lc.alpha},
                                                    {"lora_targets", lc.targets}, {"passes", w.passes}}
                                         .dump());
  Timer t1;
  auto st = unlearn::influence_stats(m, d, 1, batch);
  unlearn::influence_step(m, st, 1e-4, 1e-4, +1.0);
  double p1 = t1.seconds();
  const double peak_phase1 = peak_rss_bytes() / 1e6;
  unlearn::TrainerOptions o;
  o.objective = unlearn::Objective::GD;
  o.optimizer = "sophia";
  o.optimizer_options.sophia = sophia;
  o.schedule.base_lr = 1e-4;
  o.out_dir = "/tmp/libu-unlearn-bench";
  o.quiet = true;
  Timer t2;
  unlearn::Trainer(m, d, plan, o).run();
  double p2 = t2.seconds(), total = p1 + p2;
  std::cout << nlohmann::json{{"bench", "semeval_per_example"},
                              {"impl", "libu"},
                              {"packing", model::packing_options().enabled},
                              {"preset", a["preset"]},
                              {"rows_per_split", rows},
                              {"batch_size", batch},
                              {"threads", model::threads()},
                              {"example_passes", w.examples},
                              {"real_tokens", w.tokens},
                              {"padded_tokens", w.padded_tokens},
                              {"phase1_s", p1},
                              {"phase2_s", p2},
                              {"seconds", total},
                              {"examples_per_s", double(w.examples) / total},
                              {"peak_gflops_bf16", peak},
                              {"checkpointing", a["checkpointing"] == "true"},
                              {"weight_mb", double(weight_bytes(m)) / 1e6},
                              {"rss_after_load_mb", rss_weights},
                              {"peak_rss_phase1_mb", peak_phase1},
                              {"peak_rss_mb", peak_rss_bytes() / 1e6}}
                   .dump()
            << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::run_main([&] {
    std::map<std::string, std::string> a = {{"preset", "1b"}, {"T", "256"},    {"rows", "2"},
                                            {"steps", "3"},   {"case", "all"}, {"threads", "0"},
                                            {"data", "../shared/data/semeval25"}, {"batch-size", "4"}, {"packing", "true"},
                                            {"tokenizer", "../shared/data/tokenizers/olmo_gpt-neox-olmo-dolma-v1_5.tokenizer.json"},
                                            {"workload", ""}, {"checkpointing", "false"}};
    for (int i = 1; i + 1 < argc; i += 2) a[std::string(argv[i]).substr(2)] = argv[i + 1];
    model::set_threads(std::stoi(a["threads"]));
    set_log_level(LogLevel::Warn);
    int64_t T = std::stoll(a["T"]), R = std::stoll(a["rows"]);
    double peak = bench::gemm_peak_max(torch::kBFloat16, 3);
    if (a["case"] == "semeval") return semeval_case(a, peak);
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
