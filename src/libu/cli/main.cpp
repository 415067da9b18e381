// libu — command-line entry point. The only place that catches libu::Error (docs/ARCHITECTURE.md).
// Exit codes: 0 ok, 1 user error (bad input), 2 internal error.
#include <csignal>
#include <cstdio>
#include <iostream>

#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/version.h"
#include "libu/dist/dist.h"

using namespace libu;

static void print_overview() {
  std::cout << "libu " << LIBU_VERSION_STRING
            << " — unlearning for Hugging Face causal language models\n\nusage: libu COMMAND [options]\n\ncommands:\n";
  for (auto& c : cli::registry()) {
    std::string name = "  " + c.name;
    std::cout << name << std::string(name.size() < 22 ? 22 - name.size() : 1, ' ') << c.summary << "\n";
  }
  std::cout << "\nRun `libu COMMAND --help` for the options of one command.\n";
}

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f) or a full disk must give a write error we report, not a
  // SIGXFSZ that kills the process mid-write.
  std::signal(SIGXFSZ, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_overview();
    return args.empty() ? 1 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "libu " << LIBU_VERSION_STRING << "\n";
    return 0;
  }
  const cli::Command* cmd = nullptr;
  size_t used = 0;
  if (args.size() >= 2) cmd = cli::find_command(args[0] + " " + args[1]), used = 2;
  if (!cmd) cmd = cli::find_command(args[0]), used = 1;
  if (!cmd) {
    std::cerr << "error: unknown command '" << args[0] << "' (hint: run `libu --help` to list commands)\n";
    return 1;
  }
  std::vector<std::string> rest(args.begin() + long(used), args.end());
  for (auto& a : rest) {
    if (a == "--") break;  // what follows belongs to another command (libu launch)
    if (a == "--help" || a == "-h") {
      std::cout << cli::help_text(*cmd);
      return 0;
    }
  }
  try {
    cli::Options opts = cli::Options::parse(cmd->options, rest, cmd->positionals);
    cli::apply_common(opts);
    int rc = cmd->run(opts);
    dist::shutdown();  // waits for every rank (no-op in one process)
    return rc;
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return e.kind() == ErrorKind::User ? 1 : 2;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n(please report this)\n";
    return 2;
  }
}
