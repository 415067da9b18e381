// CSV (io/csv): RFC 4180 rows, the header table, and both MMLU layouts.
#include <string>

#include "fuzz_target.h"
#include "libu/io/csv.h"

LIBU_FUZZ_TARGET(csv) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  libu::fuzz::run_guarded([](const uint8_t* d, size_t n) {
    libu::io::parse_csv(std::string(reinterpret_cast<const char*>(d), n), "<fuzz>");
  }, data, size);
  const std::string path = libu::fuzz::scratch_file("table.csv", text);
  libu::fuzz::run_guarded([](const uint8_t*, size_t) {
    libu::io::read_csv_table(libu::fuzz::scratch_dir() + "/table.csv");
  }, data, size);
  for (auto& q : libu::io::read_mmlu_csv(path))
    libu::fuzz::check(q.answer >= 0 && q.answer < 4, "an MMLU answer outside 0..3 was accepted");
}
