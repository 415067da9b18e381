// libu/text/encoding.h — the result of Tokenizer::encode.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

namespace libu::text {

struct Encoding {
  std::vector<uint32_t> ids;
  // Per token: [begin, end) in Unicode code points of the input, as HF's bindings report
  // them (byte offsets internally until the final conversion).
  std::vector<std::pair<uint32_t, uint32_t>> offsets;
};

}  // namespace libu::text
