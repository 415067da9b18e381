// libu launch — starts N local ranks of a libu command (or of any program) with the torchrun
// environment set: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT
// (docs/distributed.md). Each rank's output lines are prefixed with "[rank k] ". When one
// rank fails, the others are ended (SIGTERM, then SIGKILL after a grace period) and launch
// exits with the failed rank's code (128 + signal for a killed rank).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <thread>

#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/log.h"

namespace libu::cli {
namespace {

// A port the kernel reports free right now (single-node runs without --master-port).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) ::close(fd);
    fail("libu launch: could not find a free port", "pass --master-port");
  }
  int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

struct Rank {
  int rank = 0;
  pid_t pid = -1;
  int out = -1, err = -1;        // read ends of the child's stdout / stderr
  std::string out_buf, err_buf;  // partial lines
  bool done = false;
  int code = 0;
};

std::string self_exe() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) fail_internal("cannot read /proc/self/exe");
  return std::string(buf, size_t(n));
}

// fork + exec with the rank's environment; the child dies with the launcher (PDEATHSIG).
void spawn(Rank& r, const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env) {
  int po[2], pe[2];
  if (::pipe(po) != 0 || ::pipe(pe) != 0) fail_internal("pipe failed");
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) fail(cat("libu launch: fork failed: ", std::strerror(errno)));
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group: ending a rank ends what it started too
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(po[1], 1);
    ::dup2(pe[1], 2);
    ::close(po[0]), ::close(pe[0]), ::close(po[1]), ::close(pe[1]);
    for (auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    ::execvp(a[0], a.data());
    std::fprintf(stderr, "error: libu launch: cannot run '%s': %s\n", a[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(po[1]), ::close(pe[1]);
  r.pid = pid, r.out = po[0], r.err = pe[0];
}

// Moves complete lines of `buf` (plus the rest at EOF) to `os`, prefixed.
void flush_lines(std::string& buf, std::ostream& os, int rank, bool eof) {
  size_t at;
  while ((at = buf.find('\n')) != std::string::npos) {
    os << "[rank " << rank << "] " << buf.substr(0, at + 1);
    buf.erase(0, at + 1);
  }
  if (eof && !buf.empty()) os << "[rank " << rank << "] " << buf << "\n", buf.clear();
  os.flush();
}

// Reads whatever the ranks wrote within `ms`; closes pipes at EOF.
void pump(std::vector<Rank>& ranks, int ms) {
  std::vector<pollfd> fds;
  std::vector<std::pair<Rank*, bool>> who;  // (rank, is stdout)
  for (auto& r : ranks) {
    if (r.out >= 0) fds.push_back({r.out, POLLIN, 0}), who.push_back({&r, true});
    if (r.err >= 0) fds.push_back({r.err, POLLIN, 0}), who.push_back({&r, false});
  }
  if (fds.empty()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return;
  }
  if (::poll(fds.data(), fds.size(), ms) <= 0) return;
  char buf[65536];
  for (size_t i = 0; i < fds.size(); ++i) {
    if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    auto [r, is_out] = who[i];
    ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
    std::string& b = is_out ? r->out_buf : r->err_buf;
    if (n > 0) b.append(buf, size_t(n));
    flush_lines(b, is_out ? std::cout : std::cerr, r->rank, n <= 0);
    if (n <= 0) {
      ::close(fds[i].fd);
      (is_out ? r->out : r->err) = -1;
    }
  }
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

volatile sig_atomic_t g_signal = 0;
void on_signal(int s) { g_signal = s; }

// Waits for every rank. The first failure (or a signal to launch) ends the others; returns
// the failed rank's exit code (0 when all succeeded).
int supervise(std::vector<Rank>& ranks, double grace_s) {
  int failed = -1, code = 0;
  std::chrono::steady_clock::time_point term_at;
  bool terminating = false, killed = false;
  for (;;) {
    pump(ranks, 100);
    bool all_done = true;
    for (auto& r : ranks) {
      if (r.done) continue;
      int st = 0;
      if (::waitpid(r.pid, &st, WNOHANG) == r.pid) {
        r.done = true;
        r.code = exit_code(st);
        if (r.code != 0 && failed < 0 && !terminating) failed = r.rank, code = r.code;
      } else {
        all_done = false;
      }
    }
    if (all_done) break;
    if ((failed >= 0 || g_signal) && !terminating) {
      if (failed >= 0)
        log_warn("launch: rank ", failed, " exited with code ", code, "; ending the other ranks");
      for (auto& r : ranks)
        if (!r.done) ::kill(-r.pid, SIGTERM);
      terminating = true;
      term_at = std::chrono::steady_clock::now();
    }
    if (terminating && !killed &&
        std::chrono::steady_clock::now() - term_at > std::chrono::duration<double>(grace_s)) {
      for (auto& r : ranks)
        if (!r.done) ::kill(-r.pid, SIGKILL);
      killed = true;
    }
  }
  // The last output; a grandchild that outlived its rank may hold a pipe open, so not forever.
  auto open = [&] { return std::any_of(ranks.begin(), ranks.end(), [](const Rank& r) { return r.out >= 0 || r.err >= 0; }); };
  for (int i = 0; i < 40 && open(); ++i) pump(ranks, 50);
  if (failed < 0 && g_signal) return 128 + int(g_signal);
  return failed >= 0 ? code : 0;
}

int run_launch(const Options& o) {
  const int nproc = int(o.i64("nproc")), nnodes = int(o.i64("nnodes")), node_rank = int(o.i64("node-rank"));
  if (nproc < 1) fail(cat("--nproc ", nproc), "give at least 1 process");
  if (nnodes < 1) fail(cat("--nnodes ", nnodes), "give at least 1 node");
  if (node_rank < 0 || node_rank >= nnodes) fail(cat("--node-rank ", node_rank, " is outside 0..", nnodes - 1));
  std::vector<std::string> cmd = o.positionals();
  if (cmd.empty())
    fail("libu launch: no command after --", "e.g. libu launch --nproc 2 -- unlearn --model M --forget F --out OUT");
  if (cmd[0].find('/') == std::string::npos) {  // a libu subcommand: run this very binary
    if (!find_command(cmd[0]) && !(cmd.size() > 1 && find_command(cmd[0] + " " + cmd[1])))
      fail(cat("libu launch: unknown libu command '", cmd[0], "'"),
           "give a libu command (unlearn, train, eval run) or a path to a program");
    cmd.insert(cmd.begin(), self_exe());
  }
  int port = int(o.i64("master-port"));
  if (port == 0) {
    if (nnodes > 1) fail("--nnodes > 1 needs --master-port", "every node must use the same MASTER_PORT");
    port = free_port();
  }
  const std::string addr = o.str("master-addr");
  const int world = nnodes * nproc;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::string threads = std::to_string(std::max(1u, cores / unsigned(nproc)));
  log_info("launch: ", nproc, " rank(s) on this node (world size ", world, ", rendezvous ", addr, ":", port, ")");
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  std::vector<Rank> ranks(static_cast<size_t>(nproc));
  for (int k = 0; k < nproc; ++k) {
    Rank& r = ranks[size_t(k)];
    r.rank = node_rank * nproc + k;
    std::vector<std::pair<std::string, std::string>> env = {
        {"RANK", std::to_string(r.rank)}, {"WORLD_SIZE", std::to_string(world)},
        {"LOCAL_RANK", std::to_string(k)}, {"LOCAL_WORLD_SIZE", std::to_string(nproc)},
        {"MASTER_ADDR", addr}, {"MASTER_PORT", std::to_string(port)}};
    if (!std::getenv("OMP_NUM_THREADS")) env.push_back({"OMP_NUM_THREADS", threads});
    spawn(r, cmd, env);
  }
  return supervise(ranks, o.f64("grace"));
}

Registrar reg_launch({"launch",
               "run a command on N local ranks with RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT set (like torchrun)",
               {{"nproc", OptType::Int, "", "ranks to start on this node", true},
                {"nnodes", OptType::Int, "1", "nodes in the run (each runs libu launch with the same options)"},
                {"node-rank", OptType::Int, "0", "this node's index in 0..nnodes-1"},
                {"master-addr", OptType::String, "127.0.0.1", "address of node 0 (rank 0 hosts the rendezvous store)"},
                {"master-port", OptType::Int, "0", "rendezvous port (0 = a free port; needed with --nnodes > 1)"},
                {"grace", OptType::Float, "10", "seconds between SIGTERM and SIGKILL when ending the other ranks"}},
               run_launch, true, "-- COMMAND [ARGS...]"});

}  // namespace
}  // namespace libu::cli
