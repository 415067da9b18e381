// libu/text/trainer.h — trains a byte-level BPE (GPT-2 pre-tokenizer regex, ByteLevel
// decoder) and writes a standard HF tokenizer.json that Tokenizer (and HF) can load.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "libu/text/json_util.h"

namespace libu::text {

struct BpeTrainerOptions {
  size_t vocab_size = 2000;  // total ids: special tokens + 256 bytes + merges
  uint64_t min_frequency = 2;  // a pair must occur this often to be merged
  std::vector<std::string> special_tokens = {"<|endoftext|>", "<|padding|>"};
};

class BpeTrainer {
 public:
  explicit BpeTrainer(BpeTrainerOptions opt = {});
  // Pre-tokenizes `text` (GPT-2 regex) and counts its words.
  void feed(std::string_view text);
  // Learns the merges; returns the tokenizer.json document.
  nlohmann::ordered_json train() const;
  size_t distinct_words() const { return counts_.size(); }

 private:
  BpeTrainerOptions opt_;
  std::unordered_map<std::string, uint64_t> counts_;  // raw-byte words
};

}  // namespace libu::text
