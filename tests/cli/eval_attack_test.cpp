// `libu eval attack` / `eval run --attacks` flag checks: every bad value or ignored flag is an
// error naming the flag, raised before any model is loaded.
#include <gtest/gtest.h>

#include "libu/cli/options.h"
#include "libu/core/error.h"

using namespace libu;

namespace {

std::string attack_error_of(const std::string& cmd, std::vector<std::string> args) {
  const cli::Command* c = cli::find_command(cmd);
  if (!c) return "no command " + cmd;
  std::vector<std::string> base = {"--model", "/nonexistent/model", "--forget", "f.jsonl", "--retain", "r.jsonl",
                                   "--out", "/tmp/never-written", "--quiet"};
  args.insert(args.begin(), base.begin(), base.end());
  try {
    auto o = cli::Options::parse(c->options, args, c->positionals);
    c->run(o);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(EvalAttackCli, BadValuesAndIgnoredFlagsNameTheFlag) {
  EXPECT_NE(attack_error_of("eval attack", {"--attacks", "prune"}).find("unknown attack 'prune'"), std::string::npos);
  EXPECT_NE(attack_error_of("eval attack", {"--quantize-bits", "1"}).find("--quantize-bits"), std::string::npos);
  EXPECT_NE(attack_error_of("eval attack", {"--relearn-lr", "0"}).find("--relearn-lr"), std::string::npos);
  EXPECT_NE(attack_error_of("eval attack", {"--attacks", "quantize", "--relearn-steps", "5"}).find("--relearn-steps"),
            std::string::npos);
  EXPECT_NE(attack_error_of("eval attack", {"--attacks", "quantize", "--reference", "/x"}).find("--reference"), std::string::npos);
  // eval run runs no attack by default, so attack flags alone are ignored flags.
  EXPECT_NE(attack_error_of("eval run", {"--relearn-steps", "5"}).find("--relearn-steps"), std::string::npos);
  EXPECT_NE(attack_error_of("eval run", {"--seed", "3"}).find("--seed"), std::string::npos);
  EXPECT_NE(attack_error_of("eval run", {"--attacks", "quantize", "--quantize-group", "0"}).find("--quantize-group"),
            std::string::npos);
}
