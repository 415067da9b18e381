// libu/core/log.h — leveled logging to stderr (logs never go to stdout).
#pragma once
#include <string>

#include "libu/core/error.h"

namespace libu {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3, Quiet = 4 };

void set_log_level(LogLevel level);
LogLevel log_level();
// Parses "debug|info|warn|error|quiet"; raises Error otherwise.
LogLevel parse_log_level(const std::string& name);
void log_line(LogLevel level, const std::string& text);

template <typename... Args>
void log_info(Args&&... args) {
  if (log_level() <= LogLevel::Info) log_line(LogLevel::Info, cat(std::forward<Args>(args)...));
}
template <typename... Args>
void log_warn(Args&&... args) {
  if (log_level() <= LogLevel::Warn) log_line(LogLevel::Warn, cat(std::forward<Args>(args)...));
}
template <typename... Args>
void log_debug(Args&&... args) {
  if (log_level() <= LogLevel::Debug) log_line(LogLevel::Debug, cat(std::forward<Args>(args)...));
}

}  // namespace libu
