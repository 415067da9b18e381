// config.json -> ModelConfig (model/config). An accepted config must be one the model can
// be built from, and must survive to_json -> from_json unchanged.
#include <string>

#include "fuzz_target.h"
#include "libu/io/jsonl.h"
#include "libu/model/config.h"

LIBU_FUZZ_TARGET(model_config) {
  using libu::fuzz::check;
  using libu::model::ModelConfig;
  const std::string path = libu::fuzz::scratch_file("config.json", data, size);
  ModelConfig c = ModelConfig::from_file(path);
  check(c.hidden_size > 0 && c.intermediate_size > 0 && c.num_layers > 0 && c.vocab_size > 0, "a size <= 0");
  check(c.num_heads > 0 && c.num_kv_heads > 0 && c.num_heads % c.num_kv_heads == 0, "bad head counts");
  check(c.head_dim > 0 && c.rotary_dim() >= 2 && c.rotary_dim() <= c.head_dim, "bad rotary width");
  check(c.num_params() > 0, "the parameter count overflowed");
  ModelConfig again = ModelConfig::from_json(c.to_json(), "<round trip>");
  check(again.to_json() == c.to_json(), "to_json -> from_json changed the config");
}
