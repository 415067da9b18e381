// libu/text/json_util.h — reading tokenizer.json with errors that name the file and the
// JSON key path ("tokenizer.json: model.merges[3]: ...").
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "libu/core/error.h"

namespace libu::text {

using json = nlohmann::json;

// Where a JSON value sits: the file and the key path inside it.
struct JPath {
  std::string file;
  std::string path;
  JPath operator/(const std::string& key) const { return {file, path.empty() ? key : path + "." + key}; }
  JPath operator[](size_t i) const { return {file, cat(path, "[", i, "]")}; }
  [[noreturn]] void fail(const std::string& msg, const std::string& hint = {}) const {
    libu::fail(cat(file, ": ", path.empty() ? "(root)" : path, ": ", msg), hint);
  }
};

// The value at j[key]; fails naming the path when absent.
inline const json& jreq(const json& j, const char* key, const JPath& p) {
  if (!j.is_object()) p.fail("expected a JSON object");
  auto it = j.find(key);
  if (it == j.end()) (p / key).fail("missing key");
  return *it;
}
inline std::string jstr(const json& j, const JPath& p) {
  if (!j.is_string()) p.fail(cat("expected a string, got ", j.type_name()));
  return j.get<std::string>();
}
// Optional typed members: default when absent or null.
inline bool jbool(const json& j, const char* key, bool def, const JPath& p) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return def;
  if (!it->is_boolean()) (p / key).fail(cat("expected a boolean, got ", it->type_name()));
  return it->get<bool>();
}
inline std::string jstr_opt(const json& j, const char* key, const std::string& def, const JPath& p) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return def;
  return jstr(*it, p / key);
}
inline long long jint(const json& j, const JPath& p) {
  if (!j.is_number_integer()) p.fail(cat("expected an integer, got ", j.type_name()));
  return j.get<long long>();
}
inline std::string jtype(const json& j, const JPath& p) { return jstr(jreq(j, "type", p), p / "type"); }

}  // namespace libu::text
