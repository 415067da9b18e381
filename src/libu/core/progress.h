// libu/core/progress.h — progress bars on stderr with rate and ETA.
// On a TTY the bar redraws in place; otherwise a plain line is printed every
// `plain_every_s` seconds and at the end. Silent when the log level is above Info.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace libu {

class Progress {
 public:
  Progress(std::string label, int64_t total, std::string unit = "it");
  ~Progress();
  void advance(int64_t n = 1);
  void set_postfix(const std::string& text);  // e.g. "loss=1.23"
  void finish();

 private:
  void render(bool final_line);
  std::string label_, unit_, postfix_;
  int64_t total_, done_ = 0;
  bool tty_, finished_ = false, enabled_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// Formats seconds as "1h02m", "3m05s" or "12.3s".
std::string format_duration(double seconds);

}  // namespace libu
