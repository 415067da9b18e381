// libu/core/timing.h — wall-clock timer and peak RSS.
#pragma once
#include <chrono>
#include <cstdint>

namespace libu {

class Timer {
 public:
  Timer() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  void reset() { start_ = std::chrono::steady_clock::now(); }
  // Seconds since the start or the previous lap, then restarts.
  double lap() {
    double s = seconds();
    reset();
    return s;
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// Peak resident set size of this process, in bytes (from getrusage).
int64_t peak_rss_bytes();

}  // namespace libu
