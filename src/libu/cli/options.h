// libu/cli/options.h — declare each option once (name, default, help, validation);
// parse argv and an optional --config FILE.json against it; print help; dump run.json.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace libu::cli {

enum class OptType { String, Int, Float, Bool, Path };

struct OptionSpec {
  std::string name;           // without leading dashes, e.g. "max-new-tokens"
  OptType type = OptType::String;
  std::string default_value;  // "" = no default; for Bool "false"/"true"
  std::string help;
  bool required = false;
  std::vector<std::string> choices;  // allowed values when non-empty
  bool repeated = false;             // may be given several times / takes several values
};

class Options {
 public:
  // Parses args (after the subcommand words). Raises Error on an unknown flag, a missing
  // value, a bad number or a value outside `choices`. `--config FILE.json` is applied
  // first, then the flags (flags win). Positional arguments are collected in positionals().
  static Options parse(const std::vector<OptionSpec>& specs, const std::vector<std::string>& args,
                       bool allow_positionals = false);

  bool has(const std::string& name) const;  // given explicitly or has a default
  bool given(const std::string& name) const;  // given explicitly (flag or config)
  bool declares(const std::string& name) const;  // the command has this option
  std::string str(const std::string& name) const;
  int64_t i64(const std::string& name) const;
  double f64(const std::string& name) const;
  bool flag(const std::string& name) const;
  std::vector<std::string> list(const std::string& name) const;  // repeated or comma list
  const std::vector<std::string>& positionals() const { return positionals_; }
  // Overrides a value (used by presets: only when !given(name)).
  void set_default(const std::string& name, const std::string& value);
  nlohmann::json to_json() const;  // every resolved option

 private:
  const OptionSpec& spec(const std::string& name) const;
  std::vector<OptionSpec> specs_;
  std::map<std::string, std::vector<std::string>> values_;
  std::map<std::string, bool> given_;
  std::vector<std::string> positionals_;
};

struct Command {
  std::string name;     // "init", "data show", "eval run", ...
  std::string summary;  // one line
  std::vector<OptionSpec> options;
  std::function<int(const Options&)> run;
  bool positionals = false;
  std::string usage_tail;  // e.g. "PATH" for positionals
};

// Global registry. Each cmd_*.cpp registers its command with a static Registrar; the CLI
// is an OBJECT library so no registration is dropped by the linker.
std::vector<Command>& registry();
struct Registrar {
  explicit Registrar(Command c);
};
const Command* find_command(const std::string& name);
std::string help_text(const Command& c);
// Options shared by every command: threads, log-level, quiet, config, device, seed...
const std::vector<OptionSpec>& common_options();
// --packing / --pack-length (model/packing.h), declared by the commands that run model passes
// (train, unlearn, eval run, eval attack, demo); apply_common applies them where declared.
const std::vector<OptionSpec>& packing_options();
// --dist-backend / --dist-timeout (dist/dist.h), declared by the commands that train or
// evaluate; apply_common joins the process group when RANK/WORLD_SIZE are set.
const std::vector<OptionSpec>& dist_options();
// Runs another subcommand in-process with the given flags (demo, bench quality); Error when it fails.
void invoke_command(const std::string& name, const std::vector<std::string>& args, const std::string& caller);
// The packing flags as arguments, to pass on to a sub-command (demo).
std::vector<std::string> packing_args(const Options& o);
// Applies the common options (thread count, log level, packing where declared). Call first in each run().
void apply_common(const Options& o);

}  // namespace libu::cli
