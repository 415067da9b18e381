#include <algorithm>
#include <thread>

#include "libu/cli/options.h"
#include "libu/core/log.h"
#include "libu/dist/dist.h"
#include "libu/model/packing.h"
#include "libu/model/runtime.h"

namespace libu::cli {

void apply_common(const Options& o) {
  set_log_level(o.flag("quiet") ? LogLevel::Error : parse_log_level(o.str("log-level")));
  int threads = int(o.i64("threads"));
  if (o.declares("dist-backend")) {
    // --threads 0 with several ranks on this machine: the cores shared out, not each rank
    // taking all of them (two torch processes on the same cores run ~4x slower).
    auto env = dist::read_env();
    if (threads <= 0 && env.local_world > 1)
      threads = std::max(1, int(std::thread::hardware_concurrency()) / env.local_world);
  }
  libu::model::set_threads(threads);
  if (o.declares("packing")) libu::model::set_packing_options({o.flag("packing"), o.i64("pack-length")});
  if (o.declares("dist-backend")) {
    auto dev = libu::model::parse_device(o.declares("device") ? o.str("device") : "cpu");
    dist::init({o.str("dist-backend"), o.f64("dist-timeout")}, dev);
    // Only rank 0 logs progress and info; the others report warnings and errors.
    if (!dist::is_main() && log_level() < LogLevel::Warn) set_log_level(LogLevel::Warn);
  }
}

}  // namespace libu::cli
