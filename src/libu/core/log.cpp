#include "libu/core/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace libu {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};
std::mutex g_mutex;
const char* prefix(LogLevel l) {
  switch (l) {
    case LogLevel::Debug: return "[debug] ";
    case LogLevel::Warn: return "[warn] ";
    case LogLevel::Error: return "[error] ";
    default: return "";
  }
}
}  // namespace

void set_log_level(LogLevel level) { g_level = static_cast<int>(level); }
LogLevel log_level() { return static_cast<LogLevel>(g_level.load()); }

LogLevel parse_log_level(const std::string& name) {
  if (name == "debug") return LogLevel::Debug;
  if (name == "info") return LogLevel::Info;
  if (name == "warn") return LogLevel::Warn;
  if (name == "error") return LogLevel::Error;
  if (name == "quiet") return LogLevel::Quiet;
  fail("unknown log level '" + name + "'", "use one of debug, info, warn, error, quiet");
}

void log_line(LogLevel level, const std::string& text) {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fprintf(stderr, "%s%s\n", prefix(level), text.c_str());
  std::fflush(stderr);
}

}  // namespace libu
