// JSONL (io/jsonl): the in-memory parser and the file reader, which must agree.
#include <string>

#include "fuzz_target.h"
#include "libu/io/jsonl.h"

LIBU_FUZZ_TARGET(jsonl) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto rows = libu::io::parse_jsonl(text, "<fuzz>");
  const std::string path = libu::fuzz::scratch_file("rows.jsonl", text);
  libu::fuzz::check(rows == libu::io::read_jsonl(path), "parse_jsonl and read_jsonl disagree");
  size_t n = 0;
  libu::io::for_each_jsonl(path, [&](const nlohmann::json&, size_t) { ++n; });
  libu::fuzz::check(n == rows.size(), "for_each_jsonl saw a different number of rows");
}
