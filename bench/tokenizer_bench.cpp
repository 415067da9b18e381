// bench/tokenizer_bench — encode throughput of the OLMo tokenizer on the SemEval texts
// (input+output of the 4 parquet files, plus the MIA documents). Prints one JSON line:
// single-thread MB/s and tokens/s (best of --repeat passes, word cache warm), the first
// (cold-cache) pass, and encode_batch on --threads threads.
// Usage: tokenizer_bench [--repeat 5] [--threads 2] [--dump-texts FILE.json]
//   --dump-texts writes the texts as a JSON array, for measuring HF tokenizers on them.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/core/fs.h"
#include "libu/core/timing.h"
#include "libu/io/jsonl.h"
#include "libu/io/records.h"
#include "libu/text/tokenizer.h"

using namespace libu;

namespace {

std::vector<std::string> load_texts(const std::string& shared) {
  std::vector<std::string> texts;
  for (const char* f : {"forget_train", "retain_train", "forget_validation", "retain_validation"})
    for (auto& r : io::load_records(shared + "/data/semeval25/" + f + "-00000-of-00001.parquet"))
      texts.push_back(r.input + r.output);
  for (const char* f : {"member", "nonmember"})
    for (auto& d : io::read_jsonl_strings(shared + "/data/semeval25/mia/" + f + ".jsonl", "document")) texts.push_back(d);
  return texts;
}

// Seconds for one single-thread pass; adds the token count to `tokens`.
double pass(const text::Tokenizer& tok, const std::vector<std::string>& texts, size_t& tokens) {
  Timer t;
  tokens = 0;
  for (auto& s : texts) tokens += tok.encode(s).ids.size();
  return t.seconds();
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 5, threads = 2;
  std::string dump;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--repeat")) repeat = std::stoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--threads")) threads = std::stoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--dump-texts")) dump = argv[i + 1];
    else return std::cerr << "unknown flag " << argv[i] << "\n", 1;
  }
  std::string shared = std::string(LIBU_SOURCE_ROOT) + "/../shared";
  std::string tok_path = shared + "/data/tokenizers/olmo_gpt-neox-olmo-dolma-v1_5.tokenizer.json";
  Timer load_timer;
  auto tok = text::Tokenizer::from_file(tok_path);
  double load_s = load_timer.seconds();
  auto texts = load_texts(shared);
  if (!dump.empty()) write_file_atomic(dump, nlohmann::json(texts).dump());
  double bytes = 0;
  for (auto& s : texts) bytes += double(s.size());
  size_t tokens = 0;
  double cold = pass(tok, texts, tokens), best = cold;
  for (int r = 0; r < repeat; ++r) best = std::min(best, pass(tok, texts, tokens));
  double best_batch = 1e30;
  for (int r = 0; r < repeat; ++r) {
    Timer t;
    auto encs = tok.encode_batch(texts, false, threads);
    best_batch = std::min(best_batch, t.seconds());
  }
  nlohmann::json out = {{"bench", "tokenizer_encode"}, {"tokenizer", "olmo_gpt-neox-olmo-dolma-v1_5"},
                        {"texts", texts.size()}, {"bytes", bytes}, {"tokens", tokens}, {"load_s", load_s},
                        {"single_MBps", bytes / best / 1e6}, {"single_tokens_per_s", double(tokens) / best},
                        {"single_cold_MBps", bytes / cold / 1e6},
                        {"batch_threads", threads}, {"batch_MBps", bytes / best_batch / 1e6},
                        {"batch_tokens_per_s", double(tokens) / best_batch}};
  std::cout << out.dump() << "\n";
  return 0;
}
