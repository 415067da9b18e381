// libu/model/loader.h — HF folder -> CausalLM. One weight list (all_weights) drives the
// check: every tensor key is consumed exactly once; missing, unexpected or mis-shaped
// tensors are reported together, by name (llama.cpp's check).
#pragma once
#include <map>
#include <memory>
#include <string>

#include "libu/model/causal_lm.h"

namespace libu::model {

// The implementation of CausalLM::load (declared a friend there).
std::shared_ptr<CausalLM> load_impl(const std::string& dir, const LoadOptions& opt);

}  // namespace libu::model
