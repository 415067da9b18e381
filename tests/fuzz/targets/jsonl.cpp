// JSONL (io/jsonl): the in-memory parser and the file reader, which must agree.
#include <string>

#include "fuzz_target.h"
#include "libu/io/jsonl.h"

LIBU_FUZZ_TARGET(jsonl) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto rows = libu::io::parse_jsonl(text, "<fuzz>");
  auto from_file = libu::io::read_jsonl(libu::fuzz::scratch_file("rows.jsonl", text));
  libu::fuzz::check(rows == from_file, "parse_jsonl and read_jsonl disagree");
  size_t n = 0;
  libu::io::for_each_jsonl(libu::fuzz::scratch_dir() + "/rows.jsonl",
                           [&](const nlohmann::json&, size_t) { ++n; });
  libu::fuzz::check(n == rows.size(), "for_each_jsonl saw a different number of rows");
}
