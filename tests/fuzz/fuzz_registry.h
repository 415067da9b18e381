// The targets compiled into fuzz_replay, by name (tests/fuzz/fuzz_target.h).
#pragma once
#include <map>
#include <string>

#include "fuzz_target.h"

namespace libu::fuzz {
std::map<std::string, Fn>& registry();
}
