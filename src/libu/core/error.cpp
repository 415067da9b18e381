#include "libu/core/error.h"

namespace libu {

static std::string full_text(const std::string& message, const std::string& hint) {
  return hint.empty() ? message : message + " (hint: " + hint + ")";
}

Error::Error(const std::string& message, std::string hint, ErrorKind kind)
    : std::runtime_error(full_text(message, hint)),
      message_(message),
      hint_(std::move(hint)),
      kind_(kind) {}

Error Error::with_context(const std::string& context) const {
  return Error(context + ": " + message_, hint_, kind_);
}

void fail(const std::string& message, const std::string& hint) { throw Error(message, hint); }

void fail_internal(const std::string& message) {
  throw Error("internal error: " + message, {}, ErrorKind::Internal);
}

}  // namespace libu
