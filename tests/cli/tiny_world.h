// tests/cli/tiny_world.h — shared by the CLI tests: run a command in-process, and a tiny random
// OLMo plus synthetic people with every role (forget, retain, validation, holdout, non-member).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "common/shared.h"
#include "libu/cli/options.h"
#include "libu/data/synth.h"

namespace libu::test {

// `libu NAME ARGS --quiet` in this process; returns the command's exit code.
inline int run_command(const std::string& name, std::vector<std::string> args) {
  const cli::Command* c = cli::find_command(name);
  if (!c) throw std::runtime_error("no command " + name);
  args.push_back("--quiet");
  auto o = cli::Options::parse(c->options, args, c->positionals);
  cli::apply_common(o);
  return c->run(o);
}

struct TinyWorld {
  std::string dir, model, data;
};

// Builds the world under a fresh temp folder named after `tag`.
inline TinyWorld make_tiny_world(const std::string& tag) {
  TinyWorld x;
  x.dir = temp_dir(tag);
  x.data = x.dir + "/data";
  data::SynthOptions so;
  so.people = 4;
  so.val_people = 2;
  so.holdout_people = 2;
  so.nonmember_people = 2;
  data::write_synth(data::synthesize(so), x.data);
  x.model = x.dir + "/model";
  run_command("init", {"--arch", "olmo", "--preset", "tiny", "--tokenizer",
                       shared_path("data/tokenizers/tiny-random-gpt2_vocab1000.tokenizer.json"), "--out", x.model});
  return x;
}

// make_tiny_world(tag), built on the first call in this process and reused after.
inline const TinyWorld& tiny_world_once(const std::string& tag) {
  static std::map<std::string, TinyWorld> worlds;
  auto it = worlds.find(tag);
  if (it == worlds.end()) it = worlds.emplace(tag, make_tiny_world(tag)).first;
  return it->second;
}

}  // namespace libu::test
