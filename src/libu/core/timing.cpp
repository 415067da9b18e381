#include "libu/core/timing.h"

#include <sys/resource.h>

namespace libu {

int64_t peak_rss_bytes() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return int64_t(ru.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace libu
