// libu/io/semeval_id.h — the SemEval-2025 Task 4 row id, read once for every module: a LUME
// document gives rows `<doc>sc1`, `<doc>qa0`, ...; the official scorer types a row by id[:-1]
// ending in "sc" (sentence completion) or "qa" (question answering) (docs/eval.md).
#pragma once
#include <string>
#include <string_view>

namespace libu::io {

// "sc", "qa", or "" when the id has no such suffix.
inline std::string_view semeval_kind(std::string_view id) {
  if (id.size() < 3) return {};
  std::string_view t = id.substr(id.size() - 3, 2);
  return t == "sc" || t == "qa" ? t : std::string_view{};
}

// The document an id belongs to: the id without its 3-character row suffix; an id without a
// sc/qa suffix (or no longer than the suffix) is its own document.
inline std::string semeval_document(std::string_view id) {
  return id.size() > 3 && !semeval_kind(id).empty() ? std::string(id.substr(0, id.size() - 3)) : std::string(id);
}

}  // namespace libu::io
