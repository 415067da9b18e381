// libu/eval/exact_match.cpp — see exact_match.h. Strip first, then lowercase, as the
// official script does (the order matters only for exotic characters, but keep it).
#include "libu/eval/exact_match.h"

#include "libu/eval/pystr.h"

namespace libu::eval {

bool exact_match(std::string_view ground_truth, std::string_view generation) {
  return py_lower(py_strip(ground_truth)) == py_lower(py_strip(generation));
}

}  // namespace libu::eval
