#include <thread>

#include "libu/cli/options.h"
#include "libu/core/log.h"
#include "libu/model/packing.h"
#include "libu/model/runtime.h"

namespace libu::cli {

void apply_common(const Options& o) {
  set_log_level(o.flag("quiet") ? LogLevel::Error : parse_log_level(o.str("log-level")));
  libu::model::set_threads(int(o.i64("threads")));
  if (o.declares("packing")) libu::model::set_packing_options({o.flag("packing"), o.i64("pack-length")});
}

}  // namespace libu::cli
