// libu/core/error.h — the one error type of libu (docs/ARCHITECTURE.md).
// Every failure carries a message naming the file/field/tensor, and an optional hint
// telling the user how to fix it. Only cli/main.cpp catches it.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace libu {

enum class ErrorKind { User, Internal };

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, std::string hint = {},
                 ErrorKind kind = ErrorKind::User);
  const std::string& message() const { return message_; }
  const std::string& hint() const { return hint_; }
  ErrorKind kind() const { return kind_; }
  // Returns a copy whose message is "<context>: <message>".
  Error with_context(const std::string& context) const;

 private:
  std::string message_;
  std::string hint_;
  ErrorKind kind_;
};

// cat("a", 1, 'b') -> "a1b": stream concatenation for building messages.
template <typename... Args>
std::string cat(Args&&... args) {
  std::ostringstream os;
  (os << ... << std::forward<Args>(args));
  return os.str();
}

[[noreturn]] void fail(const std::string& message, const std::string& hint = {});
[[noreturn]] void fail_internal(const std::string& message);

// LIBU_CHECK(cond, message...) raises a user Error when cond is false.
#define LIBU_CHECK(cond, ...)                         \
  do {                                                \
    if (!(cond)) ::libu::fail(::libu::cat(__VA_ARGS__)); \
  } while (0)

}  // namespace libu
