// tests/cli/child.h — `build/bin/libu ARGS` as a child process (for tests that need a real
// process: kill -9, resource limits). Output goes to a log file.
#pragma once
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "libu/core/fs.h"

namespace libu::test {

inline const std::string& libu_binary() {
  static const std::string path = std::string(LIBU_BINARY_DIR) + "/bin/libu";
  return path;
}

struct ChildOptions {
  rlim_t fsize_limit = 0;                                // RLIMIT_FSIZE in bytes (0 = none)
  std::vector<std::pair<std::string, std::string>> env;  // extra environment
};

// Starts `libu ARGS` with stdout and stderr to `log`; returns its pid.
inline pid_t spawn_libu(std::vector<std::string> args, const std::string& log, const ChildOptions& co = {}) {
  args.insert(args.begin(), libu_binary());
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1), ::dup2(fd, 2), ::close(fd);
    if (co.fsize_limit) {
      rlimit r{co.fsize_limit, co.fsize_limit};
      ::setrlimit(RLIMIT_FSIZE, &r);
    }
    for (auto& [k, v] : co.env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> a;
    for (auto& s : args) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
  return pid;
}

// The exit code, or 128 + the signal that ended it.
inline int wait_child(pid_t pid) {
  int st = 0;
  ::waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// Runs `libu ARGS` to the end; returns (exit code, output).
inline std::pair<int, std::string> run_libu_child(const std::vector<std::string>& args, const std::string& log,
                                                  const ChildOptions& co = {}) {
  int rc = wait_child(spawn_libu(args, log, co));
  return {rc, read_file(log)};
}

}  // namespace libu::test
