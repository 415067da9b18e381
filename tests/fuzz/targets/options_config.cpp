// `--config FILE.json` (cli/options): option values from JSON, validated against the specs
// of every type (string, int, float, bool, path, choices, repeated). Flags given after it
// must still win.
#include <string>
#include <vector>

#include "fuzz_target.h"
#include "libu/cli/options.h"

LIBU_FUZZ_TARGET(options_config) {
  using libu::cli::OptType;
  static const std::vector<libu::cli::OptionSpec> specs = {
      {"model", OptType::Path, "", "", false},
      {"lr", OptType::Float, "1e-4", ""},
      {"steps", OptType::Int, "10", ""},
      {"quiet", OptType::Bool, "false", ""},
      {"method", OptType::String, "libu", "", false, {"libu", "gd", "npo"}},
      {"lora-targets", OptType::String, "q_proj,v_proj", "", false, {}, true},
      {"name", OptType::String, "", ""},
  };
  const std::string path = libu::fuzz::scratch_file("config.json", data, size);
  auto o = libu::cli::Options::parse(specs, {"--config", path, "--steps", "3"});
  libu::fuzz::check(o.i64("steps") == 3, "a flag did not win over --config");
  o.f64("lr");
  o.flag("quiet");
  o.list("lora-targets");
  const std::string m = o.str("method");
  libu::fuzz::check(m == "libu" || m == "gd" || m == "npo", "a value outside choices was accepted");
  o.to_json().dump();
}
