// libu/io/parquet/page.h — the page decoder: turns one column chunk (dictionary page, data
// pages v1/v2, possibly empty, compressed) into dense per-row values with a validity mask.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libu/io/parquet/metadata.h"

namespace libu::io::parquet {

// A leaf column of the schema.
struct ColumnInfo {
  std::string name;               // dotted path, e.g. "id" or "a.b.c"
  std::vector<std::string> path;  // path_in_schema
  PhysicalType physical = PhysicalType::INT32;
  int32_t type_length = 0;        // FIXED_LEN_BYTE_ARRAY width
  Repetition repetition = Repetition::REQUIRED;
  int16_t max_def = 0, max_rep = 0;
  // One-level lists (max_rep 1): the definition level of the repeated node. A level entry with
  // def ≥ rep_def is an element (a value when def == max_def, else a null element); one with
  // def == rep_def − 1 starts an empty list, one below that a null list.
  int16_t rep_def = 0;
  std::optional<int32_t> converted_type;
  LogicalType logical;
  int32_t scale = 0, precision = 0;  // decimals (from logical or converted type)

  bool nested() const { return max_rep > 0; }
  bool list() const { return max_rep == 1; }  // readable: one level of repetition
  bool is_string() const;   // BYTE_ARRAY/FLBA annotated UTF8/STRING/ENUM/JSON
  bool is_decimal() const;
  // "BYTE_ARRAY STRING OPTIONAL", "INT32 DECIMAL(9,2) REQUIRED", ...
  std::string type_string() const;
};

// The values of one column over a range of rows. Values are dense per row: a null row
// holds a default value and valid[row] == 0.
struct ColumnData {
  PhysicalType physical = PhysicalType::INT32;
  std::vector<uint8_t> valid;     // 1 = present, one per row
  std::vector<int64_t> ints;      // BOOLEAN (0/1), INT32, INT64
  std::vector<double> doubles;    // FLOAT, DOUBLE
  std::vector<std::string> bytes; // BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY, INT96 (12 raw bytes)

  // List columns only (ColumnInfo::list()): row r holds the elements offsets[r] .. offsets[r+1]−1
  // of ints / doubles / bytes, each with elem_valid (0 = a null element); valid[r] == 0 is a null
  // list. offsets has rows + 1 entries; empty for flat columns.
  std::vector<uint64_t> offsets;
  std::vector<uint8_t> elem_valid;

  size_t size() const { return valid.size(); }
  bool is_null(size_t row) const { return !valid[row]; }
  bool is_list() const { return !offsets.empty(); }
  void append(const ColumnData& other);
};

struct ReadOptions {
  // Verify page CRC-32 checksums when present; a mismatch is an error. Turn off only to
  // salvage a damaged file (docs/data.md).
  bool verify_checksums = true;
};

// Decodes a whole column chunk chunk[0..size) of a flat column, or a list column with one
// level of repetition (deeper nesting raises "unsupported"), holding `num_rows` rows.
// `ctx` ("<file>: column 'x': row group N") prefixes every error.
ColumnData decode_column_chunk(const uint8_t* chunk, size_t size, const ColumnInfo& col, const ColumnMetaData& md,
                               int64_t num_rows, const ReadOptions& opt, const std::string& ctx);

}  // namespace libu::io::parquet
