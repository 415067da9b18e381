// libu/io/jsonl.h — JSON Lines: one JSON object per line (blank lines are skipped).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace libu::io {

// Parses JSONL text. A line that is not valid JSON, or not an object, raises
// "<name>:<line>: ..." with the parser's message.
std::vector<nlohmann::json> parse_jsonl(const std::string& text, const std::string& name);
std::vector<nlohmann::json> read_jsonl(const std::string& path);
// Streams a file line by line: fn(object, line_number).
void for_each_jsonl(const std::string& path, const std::function<void(const nlohmann::json&, size_t)>& fn);
// Reads one string field of every line (e.g. "document" for MIA files); a missing or
// non-string field raises an Error naming the file, the line and the field.
std::vector<std::string> read_jsonl_strings(const std::string& path, const std::string& field);
// Reads a whole JSON file. A missing file or invalid JSON raises an Error naming the path,
// with `hint` (what the file should be) as the fix.
nlohmann::json read_json_file(const std::string& path, const std::string& hint = "");
// Writes objects one per line (atomically).
void write_jsonl(const std::string& path, const std::vector<nlohmann::json>& rows);

}  // namespace libu::io
