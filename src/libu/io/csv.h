// libu/io/csv.h — RFC 4180 CSV (quoted fields, "" escapes, embedded delimiters and
// newlines, CRLF or LF, optional UTF-8 BOM), plus the two MMLU layouts of docs/data.md.
#pragma once
#include <array>
#include <string>
#include <vector>

namespace libu::io {

using CsvRow = std::vector<std::string>;

// Parses CSV text. Raises Error "<name>:<line>: ..." on an unterminated quoted field or
// a character after a closing quote. A final newline does not create an empty row.
std::vector<CsvRow> parse_csv(const std::string& text, const std::string& name, char delimiter = ',');
// Reads and parses a file (Error naming the path when missing).
std::vector<CsvRow> read_csv(const std::string& path, char delimiter = ',');

struct CsvTable {
  CsvRow header;
  std::vector<CsvRow> rows;
  // Index of a header column; raises "<file>: column 'x' not found; columns are: ...".
  size_t column(const std::string& name) const;
  std::string source;
};
// Reads a CSV whose first row is a header; every row must have the header's width.
CsvTable read_csv_table(const std::string& path, char delimiter = ',');

// One MMLU question. answer is 0..3.
struct MmluQuestion {
  std::string question;
  std::array<std::string, 4> choices;
  int answer = 0;
};
// Reads an MMLU CSV in either layout, detected from the first row:
//  - header style: "question,choice0,choice1,choice2,choice3,answer", answer 0-3;
//  - hendrycks style: no header, 6 fields, answer letter A-D.
// Raises Error naming the file and row on a wrong field count or a bad answer.
std::vector<MmluQuestion> read_mmlu_csv(const std::string& path);

}  // namespace libu::io
