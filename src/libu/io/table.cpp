// libu/io/table.cpp — see table.h.
#include "libu/io/table.h"

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/io/csv.h"
#include "libu/io/jsonl.h"
#include "libu/io/parquet/reader.h"

namespace libu::io {

namespace {

using nlohmann::ordered_json;

bool ends_with(const std::string& s, const std::string& suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

void parquet_rows(const std::string& path, const std::vector<std::string>& cols, int64_t limit,
                  const std::function<void(const ordered_json&)>& fn) {
  auto f = parquet::ParquetFile::open(path);
  for (auto& c : cols) f->require_column(c);
  if (cols.empty())
    for (auto& c : f->columns())
      if (c.nested() && !c.list())
        fail(cat(path, ": unsupported: nested column '", c.name, "' (lists or maps inside lists)"),
             "select other columns (--columns a,b / columns=[...])");
  int64_t shown = 0;
  for (int rg = 0; rg < f->num_row_groups() && shown < limit; ++rg) {
    parquet::Table t = f->read_row_group(rg, cols);
    for (size_t r = 0; r < t.num_rows && shown < limit; ++r, ++shown) fn(t.row_json(r));
  }
}

void jsonl_rows(const std::string& path, const std::vector<std::string>& cols, int64_t limit,
                const std::function<void(const ordered_json&)>& fn) {
  int64_t shown = 0;
  for_each_jsonl(path, [&](const nlohmann::json& j, size_t line) {
    if (shown >= limit) return;
    ordered_json out = ordered_json::object();
    if (cols.empty()) {
      for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = it.value();
    } else {
      for (auto& c : cols) {
        if (!j.contains(c)) fail(cat(path, ":", line, ": column '", c, "' not found"), "check the column names");
        out[c] = j[c];
      }
    }
    fn(out);
    ++shown;
  });
}

void csv_rows(const std::string& path, const std::vector<std::string>& cols, int64_t limit,
              const std::function<void(const ordered_json&)>& fn) {
  CsvTable t = read_csv_table(path);
  std::vector<size_t> idx;
  if (cols.empty())
    for (size_t i = 0; i < t.header.size(); ++i) idx.push_back(i);
  for (auto& c : cols) idx.push_back(t.column(c));
  for (size_t r = 0; r < t.rows.size() && int64_t(r) < limit; ++r) {
    ordered_json out = ordered_json::object();
    for (size_t i : idx) out[t.header[i]] = t.rows[r][i];
    fn(out);
  }
}

}  // namespace

void for_each_table_row(const std::string& path, const std::vector<std::string>& columns, int64_t limit,
                        const std::function<void(const nlohmann::ordered_json&)>& fn) {
  if (limit < 0) limit = INT64_MAX;
  if (is_directory(path)) fail(cat(path, ": is a folder"), "pass one file, e.g. PATH/forget.parquet");
  if (!path_exists(path)) fail(cat(path, ": no such file"), "check the path");
  if (ends_with(path, ".parquet")) return parquet_rows(path, columns, limit, fn);
  if (ends_with(path, ".jsonl") || ends_with(path, ".json")) return jsonl_rows(path, columns, limit, fn);
  if (ends_with(path, ".csv")) return csv_rows(path, columns, limit, fn);
  fail(cat(path, ": unknown data file type"), "use a .parquet, .jsonl or .csv file");
}

}  // namespace libu::io
