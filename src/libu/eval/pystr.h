// libu/eval/pystr.h — Python 3.11 str semantics needed by the official SemEval scorer:
// str.lower() (full Unicode mapping incl. U+0130 → "i̇" and Final_Sigma) and str.strip()
// (str.isspace). Tables come from tools/reference/gen_unicode_case.py (Unicode 14.0.0,
// the database of the Python that produced ../shared/data/metrics). No torch.
#pragma once
#include <string>
#include <string_view>

namespace libu::eval {

// Python `s.lower()` on UTF-8 text. Bytes that are not valid UTF-8 are copied unchanged.
std::string py_lower(std::string_view utf8);
// Python `s.strip()` (no argument): removes leading/trailing code points with isspace().
std::string_view py_strip(std::string_view utf8);
// Python `chr(cp).isspace()`.
bool py_isspace(char32_t cp);

}  // namespace libu::eval
