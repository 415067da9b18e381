// libu/io/jsonl.cpp — see jsonl.h.
#include "libu/io/jsonl.h"

#include <fstream>

#include "libu/core/error.h"
#include "libu/core/fs.h"

namespace libu::io {

namespace {

bool blank(const std::string& s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

nlohmann::json parse_line(const std::string& line, const std::string& name, size_t no) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    fail(cat(name, ":", no, ": invalid JSON: ", e.what()), "each line of a .jsonl file must be one JSON object");
  }
  if (!j.is_object())
    fail(cat(name, ":", no, ": expected a JSON object, got ", j.type_name()), "each line of a .jsonl file must be one JSON object");
  return j;
}

}  // namespace

std::vector<nlohmann::json> parse_jsonl(const std::string& text, const std::string& name) {
  std::vector<nlohmann::json> out;
  size_t start = 0, no = 0;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) start = 3;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++no;
    std::string line = text.substr(start, end - start);
    if (!blank(line)) out.push_back(parse_line(line, name, no));
    start = end + 1;
  }
  return out;
}

std::vector<nlohmann::json> read_jsonl(const std::string& path) { return parse_jsonl(read_file(path), path); }

void for_each_jsonl(const std::string& path, const std::function<void(const nlohmann::json&, size_t)>& fn) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(cat(path, ": cannot open"), "check the path");
  std::string line;
  size_t no = 0;
  while (std::getline(in, line)) {
    ++no;
    if (no == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    if (blank(line)) continue;
    fn(parse_line(line, path, no), no);
  }
}

std::vector<std::string> read_jsonl_strings(const std::string& path, const std::string& field) {
  std::vector<std::string> out;
  for_each_jsonl(path, [&](const nlohmann::json& j, size_t no) {
    auto it = j.find(field);
    if (it == j.end() || !it->is_string())
      fail(cat(path, ":", no, ": field '", field, "' ", it == j.end() ? "is missing" : "is not a string"),
           cat("every line needs a string '", field, "' field"));
    out.push_back(it->get<std::string>());
  });
  return out;
}

nlohmann::json read_json_file(const std::string& path, const std::string& hint) {
  std::string text = read_file(path);  // raises "<path>: cannot open file"
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    fail(cat(path, ": invalid JSON: ", e.what()), hint.empty() ? "fix or regenerate the file" : hint);
  }
}

void write_jsonl(const std::string& path, const std::vector<nlohmann::json>& rows) {
  std::string s;
  for (auto& r : rows) {
    s += r.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
    s += '\n';
  }
  write_file_atomic(path, s);
}

}  // namespace libu::io
