// bench/eval_bench — one JSON line per case, on an `init --preset` OLMo (random weights):
//   generate: greedy tokens/s, batched (all prompts in one batch) vs unbatched (batch 1),
//             with P prompts of L tokens and N new tokens (EOS disabled, so every row runs N);
//   mmlu:     0-shot MMLU questions/s (one forward per question, batched), using the OLMo
//             tokenizer from ../shared and the shared MMLU files.
// Usage: eval_bench [--preset 1b] [--prompts 16] [--len 64] [--new 128] [--unbatched-prompts 2]
//                   [--mmlu-questions 32] [--dtype bf16] [--threads N]
#include <torch/torch.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "bench_common.h"
#include "libu/core/timing.h"
#include "libu/eval/mmlu.h"
#include "libu/model/export.h"
#include "libu/model/generate.h"
#include "libu/model/runtime.h"
#include "libu/text/tokenizer.h"

using namespace libu;

int main(int argc, char** argv) {
  return bench::run_main([&] {
    std::map<std::string, std::string> a = {{"preset", "1b"},  {"prompts", "16"},          {"len", "64"},
                                            {"new", "128"},    {"unbatched-prompts", "2"}, {"mmlu-questions", "32"},
                                            {"dtype", "bf16"}, {"threads", "0"},           {"case", "all"}};
    for (int i = 1; i + 1 < argc; i += 2) a[std::string(argv[i]).substr(2)] = argv[i + 1];
    model::set_threads(std::stoi(a["threads"]));
    auto dt = model::parse_dtype(a["dtype"]);
    auto cfg = model::preset_config("olmo", a["preset"], 0);
    model::CausalLM m(cfg, model::init_weights(cfg, 0, dt));
    int64_t P = std::stoll(a["prompts"]), L = std::stoll(a["len"]), N = std::stoll(a["new"]);
    std::vector<std::vector<int64_t>> prompts;
    for (int64_t p = 0; p < P; ++p) {
      auto t = torch::randint(2, cfg.vocab_size, {L}, torch::kLong);
      prompts.emplace_back(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + L);
    }
    model::GenerateOptions go;
    go.max_new_tokens = N;
    go.pad_id = 1;
    if (a["case"] == "all" || a["case"] == "generate") {
      go.batch_size = P;
      Timer t1;
      model::generate_greedy(m, prompts, go);
      double batched = double(P * N) / t1.seconds();
      int64_t U = std::min<int64_t>(P, std::stoll(a["unbatched-prompts"]));
      go.batch_size = 1;
      Timer t2;
      model::generate_greedy(m, {prompts.begin(), prompts.begin() + U}, go);
      double unbatched = double(U * N) / t2.seconds();
      std::cout << nlohmann::json{{"bench", "generate"},
                                  {"preset", a["preset"]},
                                  {"dtype", model::dtype_str(dt)},
                                  {"threads", model::threads()},
                                  {"prompts", P},
                                  {"prompt_len", L},
                                  {"new_tokens", N},
                                  {"batched_tokens_per_s", batched},
                                  {"unbatched_tokens_per_s", unbatched},
                                  {"unbatched_prompts_timed", U},
                                  {"speedup", batched / unbatched}}
                       .dump()
                << std::endl;
    }
    if (a["case"] == "all" || a["case"] == "mmlu") {
      std::string root = LIBU_SOURCE_ROOT "/../shared/data";
      auto tok = text::Tokenizer::from_file(root + "/tokenizers/olmo_gpt-neox-olmo-dolma-v1_5.tokenizer.json");
      eval::MmluOptions mo;
      mo.shots = 0;
      mo.batch_size = 8;
      mo.subjects = {"abstract_algebra"};
      mo.limit = std::stoll(a["mmlu-questions"]);
      Timer t;
      auto r = eval::run_mmlu(m, tok, root + "/mmlu", mo);
      double s = t.seconds();
      auto j = eval::mmlu_to_json(r);
      std::cout << nlohmann::json{{"bench", "mmlu_0shot"},
                                  {"preset", a["preset"]},
                                  {"dtype", model::dtype_str(dt)},
                                  {"threads", model::threads()},
                                  {"questions", j["questions"]},
                                  {"questions_per_s", j["questions"].get<double>() / s}}
                       .dump()
                << std::endl;
    }
    return 0;
  });
}
