// libu/io/parquet/reader.h — the Parquet reader API (no torch).
//
//   auto f = libu::io::parquet::ParquetFile::open("forget.parquet");
//   for (int rg = 0; rg < f->num_row_groups(); ++rg) {          // streams row group by row group
//     Table t = f->read_row_group(rg, {"id", "input"});
//     for (size_t r = 0; r < t.num_rows; ++r) auto id = t.string_at(0, r);  // nullopt = null
//   }
//
// Files opened from a path are read with pread(2): only the footer and the column chunks
// being decoded are in memory. Flat REQUIRED/OPTIONAL columns (including leaves of
// non-repeated groups, named "a.b") are supported; repeated (list/map) columns can be
// listed but reading one raises "unsupported: nested column X".
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libu/io/parquet/metadata.h"
#include "libu/io/parquet/page.h"

namespace libu::io::parquet {

// Conversions of one value (row) of a column. nullopt / json null = a null value.
// as_string: strings as-is; integers in decimal; decimals formatted with their scale
//   ("-12.34"); floats with round-trip precision; booleans "true"/"false"; other binary as-is.
std::optional<std::string> value_as_string(const ColumnInfo& c, const ColumnData& d, size_t row);
// as_int: BOOLEAN/INT32/INT64 (unsigned 64-bit values above INT64_MAX raise); other types raise.
std::optional<int64_t> value_as_int(const ColumnInfo& c, const ColumnData& d, size_t row);
// as_double: FLOAT/DOUBLE/FLOAT16, integers, and decimals (scaled).
std::optional<double> value_as_double(const ColumnInfo& c, const ColumnData& d, size_t row);
// JSON: null, bool, number, or string (non-UTF-8 binary as "0x..." hex; decimals as strings;
// INT96 as nanoseconds since the epoch).
nlohmann::json value_to_json(const ColumnInfo& c, const ColumnData& d, size_t row);

// Selected columns of a range of rows.
struct Table {
  std::vector<ColumnInfo> columns;
  std::vector<ColumnData> data;  // parallel to columns
  size_t num_rows = 0;

  int index(const std::string& name) const;  // -1 when absent
  std::optional<std::string> string_at(size_t col, size_t row) const { return value_as_string(columns[col], data[col], row); }
  std::optional<int64_t> int_at(size_t col, size_t row) const { return value_as_int(columns[col], data[col], row); }
  std::optional<double> double_at(size_t col, size_t row) const { return value_as_double(columns[col], data[col], row); }
  nlohmann::ordered_json row_json(size_t row) const;  // {"col": value, ...} in column order
  void append(const Table& other);             // same columns
};

class ParquetFile {
 public:
  // Opens a file: validates the magic bytes, the footer and the schema. Raises Error
  // naming the path (missing file, not parquet, truncated, corrupt metadata, encrypted).
  static std::unique_ptr<ParquetFile> open(const std::string& path, ReadOptions opt = {});
  // Parses an in-memory file (copied). `name` is used in error messages. Fuzzing entry point.
  static std::unique_ptr<ParquetFile> from_buffer(const uint8_t* data, size_t size, const std::string& name = "<memory>",
                                                  ReadOptions opt = {});
  ~ParquetFile();
  ParquetFile(const ParquetFile&) = delete;
  ParquetFile& operator=(const ParquetFile&) = delete;

  const std::string& path() const { return path_; }
  const FileMetaData& metadata() const { return md_; }
  uint64_t file_size() const { return file_size_; }
  int64_t num_rows() const { return num_rows_; }  // sum over row groups
  int num_row_groups() const { return int(md_.row_groups.size()); }
  int64_t row_group_num_rows(int rg) const;
  const std::vector<ColumnInfo>& columns() const { return columns_; }
  std::vector<std::string> column_names() const;
  int column_index(const std::string& name) const;  // -1 when absent
  // Index of a column; raises "<file>: column 'x' not found; columns are: a, b, c".
  int require_column(const std::string& name) const;

  // Decodes one column chunk.
  ColumnData read_column(int row_group, int column) const;
  // Reads the named columns (all when empty) of one row group.
  Table read_row_group(int row_group, const std::vector<std::string>& columns = {}) const;
  // Reads every row group (concatenated). Prefer read_row_group for large files.
  Table read_all(const std::vector<std::string>& columns = {}) const;

 private:
  ParquetFile() = default;
  void init(const std::string& name);
  std::vector<uint8_t> read_range(uint64_t offset, uint64_t size) const;
  std::vector<int> resolve(const std::vector<std::string>& names) const;

  std::string path_;
  ReadOptions opt_;
  int fd_ = -1;                    // file-backed
  std::vector<uint8_t> buffer_;    // memory-backed
  uint64_t file_size_ = 0;
  FileMetaData md_;
  int64_t num_rows_ = 0;
  std::vector<ColumnInfo> columns_;
};

// Convenience: reads a whole file and decodes a whole file from memory (fuzzing).
// Decodes every column of every row group of a memory buffer; raises Error on bad input.
void decode_all_for_fuzzing(const uint8_t* data, size_t size);

}  // namespace libu::io::parquet
