// PEFT adapter_config.json (model/lora_config): rank, alpha, dropout, target modules.
#include <cmath>
#include <string>

#include "fuzz_target.h"
#include "libu/model/lora_config.h"

LIBU_FUZZ_TARGET(adapter_config) {
  using libu::fuzz::check;
  libu::fuzz::scratch_file("adapter_config.json", data, size);
  auto c = libu::model::read_adapter_config(libu::fuzz::scratch_dir());
  check(c.r >= 1 && std::isfinite(c.scale()), "an unusable rank or alpha was accepted");
  check(c.dropout >= 0 && c.dropout < 1, "a dropout outside [0, 1) was accepted");
  check(!c.targets.empty(), "an empty target list was accepted");
}
