// libu/io/csv.cpp — see csv.h.
#include "libu/io/csv.h"

#include "libu/core/error.h"
#include "libu/core/fs.h"

namespace libu::io {

std::vector<CsvRow> parse_csv(const std::string& text, const std::string& name, char delim) {
  std::vector<CsvRow> rows;
  size_t i = 0, n = text.size();
  if (n >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;
  size_t line = 1;
  CsvRow row;
  std::string field;
  bool any = false;  // the current row has content (or a delimiter)
  while (i < n) {
    char c = text[i];
    if (c == '"' && field.empty()) {
      size_t start_line = line;
      ++i;
      for (;;) {
        if (i >= n) fail(cat(name, ":", start_line, ": unterminated quoted field"), "close the quote (write \"\" for a literal quote)");
        char q = text[i++];
        if (q == '"') {
          if (i < n && text[i] == '"') {
            field += '"';
            ++i;
          } else {
            break;
          }
        } else {
          if (q == '\n') ++line;
          field += q;
        }
      }
      any = true;
      if (i < n && text[i] != delim && text[i] != '\n' && text[i] != '\r')
        fail(cat(name, ":", line, ": unexpected character '", text[i], "' after a closing quote"),
             "quote the whole field and double inner quotes (RFC 4180)");
      continue;
    }
    if (c == delim) {
      row.push_back(std::move(field));
      field.clear();
      any = true;
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
      ++i;
      ++line;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      }
      row.clear();
      field.clear();
      any = false;
      continue;
    }
    field += c;
    any = true;
    ++i;
  }
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<CsvRow> read_csv(const std::string& path, char delimiter) {
  return parse_csv(read_file(path), path, delimiter);
}

size_t CsvTable::column(const std::string& name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  std::string list;
  for (auto& h : header) list += (list.empty() ? "" : ", ") + h;
  fail(cat(source, ": column '", name, "' not found; columns are: ", list), "check the CSV header");
}

CsvTable read_csv_table(const std::string& path, char delimiter) {
  std::vector<CsvRow> all = read_csv(path, delimiter);
  if (all.empty()) fail(cat(path, ": empty CSV file (no header)"), "the first line must name the columns");
  CsvTable t;
  t.source = path;
  t.header = std::move(all[0]);
  for (size_t r = 1; r < all.size(); ++r) {
    if (all[r].size() != t.header.size())
      fail(cat(path, ": data row ", r, " has ", all[r].size(), " fields, the header has ", t.header.size()),
           "quote fields that contain the delimiter or newlines");
    t.rows.push_back(std::move(all[r]));
  }
  return t;
}

std::vector<MmluQuestion> read_mmlu_csv(const std::string& path) {
  std::vector<CsvRow> all = read_csv(path);
  std::vector<MmluQuestion> out;
  if (all.empty()) return out;
  bool header = all[0] == CsvRow{"question", "choice0", "choice1", "choice2", "choice3", "answer"};
  for (size_t r = header ? 1 : 0; r < all.size(); ++r) {
    const CsvRow& f = all[r];
    if (f.size() != 6)
      fail(cat(path, ": row ", r + 1, " has ", f.size(), " fields, MMLU rows have 6 (question, 4 choices, answer)"),
           "quote fields that contain commas or newlines");
    MmluQuestion q;
    q.question = f[0];
    for (int k = 0; k < 4; ++k) q.choices[size_t(k)] = f[size_t(k) + 1];
    const std::string& a = f[5];
    if (header) {
      if (a.size() != 1 || a[0] < '0' || a[0] > '3')
        fail(cat(path, ": row ", r + 1, ": answer '", a, "' is not 0-3"), "header-style MMLU files use answers 0..3");
      q.answer = a[0] - '0';
    } else {
      if (a.size() != 1 || a[0] < 'A' || a[0] > 'D')
        fail(cat(path, ": row ", r + 1, ": answer '", a, "' is not A-D"),
             "headerless (hendrycks) MMLU files use answer letters A..D");
      q.answer = a[0] - 'A';
    }
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace libu::io
