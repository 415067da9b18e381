#include "libu/core/progress.h"

#include <unistd.h>

#include <cstdio>

#include "libu/core/log.h"

namespace libu {

std::string format_duration(double s) {
  char buf[64];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%dh%02dm", int(s / 3600), int(s / 60) % 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%dm%02ds", int(s / 60), int(s) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  }
  return buf;
}

Progress::Progress(std::string label, int64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total) {
  tty_ = isatty(STDERR_FILENO) != 0;
  enabled_ = log_level() <= LogLevel::Info;
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

Progress::~Progress() { finish(); }

void Progress::advance(int64_t n) {
  done_ += n;
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_draw_).count();
  if ((tty_ && since > 0.1) || (!tty_ && since > 10.0)) {
    last_draw_ = now;
    render(false);
  }
}

void Progress::set_postfix(const std::string& text) { postfix_ = text; }

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  render(true);
}

void Progress::render(bool final_line) {
  if (!enabled_) return;
  double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = el > 0 ? done_ / el : 0.0;
  std::string eta = (rate > 0 && total_ > done_) ? format_duration((total_ - done_) / rate) : "-";
  char bar[32] = {0};
  int width = 20, fill = total_ > 0 ? int(width * double(done_) / double(total_)) : 0;
  for (int i = 0; i < width; ++i) bar[i] = i < fill ? '#' : '.';
  char line[512];
  std::snprintf(line, sizeof line, "%s [%s] %lld/%lld %.2f %s/s elapsed %s eta %s %s",
                label_.c_str(), bar, (long long)done_, (long long)total_, rate, unit_.c_str(),
                format_duration(el).c_str(), eta.c_str(), postfix_.c_str());
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", line, final_line ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line);
  }
  std::fflush(stderr);
}

}  // namespace libu
