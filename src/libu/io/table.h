// libu/io/table.h — any row file as JSON objects: parquet (flat columns), JSONL and CSV.
// The one reader behind `libu data show` and the Python `libu.read_table`.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace libu::io {

// Calls fn(row) for the first `limit` rows (limit < 0: all) of `path`, in file order. `columns`
// empty: every column; else only those, in that order (a missing one raises Error naming it).
// Raises Error for an unknown extension, a folder, or nested parquet columns without `columns`.
void for_each_table_row(const std::string& path, const std::vector<std::string>& columns, int64_t limit,
                        const std::function<void(const nlohmann::ordered_json&)>& fn);

}  // namespace libu::io
