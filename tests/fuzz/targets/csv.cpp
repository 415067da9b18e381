// CSV (io/csv): RFC 4180 rows, the header table, and both MMLU layouts.
#include <string>

#include "fuzz_target.h"
#include "libu/io/csv.h"

LIBU_FUZZ_TARGET(csv) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  libu::fuzz::ignore_rejection([&] { libu::io::parse_csv(text, "<fuzz>"); });
  const std::string path = libu::fuzz::scratch_file("table.csv", text);
  libu::fuzz::ignore_rejection([&] { libu::io::read_csv_table(path); });
  for (auto& q : libu::io::read_mmlu_csv(path))
    libu::fuzz::check(q.answer >= 0 && q.answer < 4, "an MMLU answer outside 0..3 was accepted");
}
