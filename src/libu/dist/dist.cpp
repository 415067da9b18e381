// libu/dist/dist.cpp — see dist.h. Everything distributed goes through libtorch's c10d:
// TCPStore (rendezvous, heartbeats), ProcessGroupGloo (collectives on CPU tensors) and, in a
// CUDA build with LIBU_HAVE_NCCL, ProcessGroupNCCL.
#include "libu/dist/dist.h"

// ProcessGroupGloo.hpp declares its class only under this macro (set by torch's own build).
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "libu/dist/c10d_compat.h"
#ifdef LIBU_HAVE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <optional>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "libu/core/error.h"
#include "libu/core/log.h"

namespace libu::dist {

namespace {

using ms = std::chrono::milliseconds;

// ---- environment ----

std::optional<std::string> getenv_str(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

int64_t env_int(const char* name, int64_t fallback, int64_t lo, int64_t hi) {
  auto v = getenv_str(name);
  if (!v) return fallback;
  size_t used = 0;
  int64_t x = 0;
  try {
    x = std::stoll(*v, &used);
  } catch (...) {
    used = 0;
  }
  if (used != v->size() || x < lo || x > hi)
    fail(cat("environment variable ", name, "='", *v, "' is not an integer in [", lo, ", ", hi, "]"),
         "set it as torchrun / `libu launch` do, or unset it to run one process");
  return x;
}

bool loopback(const std::string& addr) { return addr == "localhost" || addr.rfind("127.", 0) == 0 || addr == "::1"; }

// ---- the process-wide group ----

struct State {
  Env env;
  InitOptions opt;
  ms timeout{300000};
  std::string backend = "none";
  c10::Device device = c10::kCPU;                // where collective buffers live (NCCL: the rank's GPU)
  c10::intrusive_ptr<c10d::Store> store;      // TCPStore; rank 0 hosts the server
  c10::intrusive_ptr<compat::Group> pg;       // Gloo or NCCL (c10d_compat.h)
  std::thread heartbeat;
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
};
State* g = nullptr;

std::string hb_key(int r) { return cat("libu/heartbeat/", r); }

c10::intrusive_ptr<c10d::TCPStore> connect_store(const Env& e, bool server, ms timeout) {
  c10d::TCPStoreOptions so;
  so.port = uint16_t(e.master_port);
  so.isServer = server;
  so.waitWorkers = false;
  so.timeout = timeout;
  compat::plain_tcp_store(so);
  return c10::make_intrusive<c10d::TCPStore>(e.master_addr, so);
}

// Bumps this rank's heartbeat counter twice a second on its own store connection, until
// shutdown. A store that stops answering (rank 0 gone) ends the thread quietly: the next
// collective reports it.
void heartbeat_loop(Env e, ms timeout) {
  try {
    auto s = connect_store(e, false, timeout);
    std::unique_lock<std::mutex> lk(g->mu);
    while (!g->stopping) {
      lk.unlock();
      s->add(hb_key(e.rank), 1);
      lk.lock();
      g->cv.wait_for(lk, ms(500), [] { return g->stopping; });
    }
  } catch (...) {
  }
}

// Which ranks stopped beating: read every counter, wait 3 beats, read again.
std::string diagnose() {
  const Env& e = g->env;
  try {
    auto read = [&] {
      std::vector<int64_t> v;
      for (int r = 0; r < e.world; ++r) v.push_back(g->store->add(hb_key(r), 0));
      return v;
    };
    auto a = read();
    std::this_thread::sleep_for(ms(1500));
    auto b = read();
    std::string lost;
    for (int r = 0; r < e.world; ++r)
      if (r != e.rank && a[size_t(r)] == b[size_t(r)]) lost += cat(lost.empty() ? "" : ", ", r);
    if (lost.empty())
      return "every rank is still alive (heartbeats move), so one is stuck or much slower than the others";
    return cat("lost rank ", lost, " (its heartbeat stopped: killed, crashed or unreachable)");
  } catch (...) {
    if (e.rank == 0) return "the rendezvous store no longer answers";
    return cat("lost rank 0 (its rendezvous store at ", e.master_addr, ":", e.master_port, " no longer answers)");
  }
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// Runs a collective; a failure (peer gone, timeout) becomes one Error naming the lost rank.
template <typename F>
void guarded(const char* what, F&& f) {
  try {
    f();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& ex) {
    fail(cat("distributed ", what, " failed on rank ", g->env.rank, " of ", g->env.world, ": ", diagnose(), " [",
             first_line(ex.what()), "]"),
         cat("the run stopped; see the lost rank's own log, then rerun (or --resume from the last checkpoint). "
             "--dist-timeout is ",
             g->opt.timeout_s, " s"));
  }
}

void wait_work(const c10::intrusive_ptr<c10d::Work>& w, ms timeout) { w->wait(timeout); }
void wait_work(const c10::intrusive_ptr<c10d::Work>& w) { wait_work(w, g->timeout); }

void final_barrier() {
  const ms day(24LL * 3600 * 1000);
  c10d::BarrierOptions bo;
  bo.timeout = day;
  guarded("final barrier", [&] { wait_work(g->pg->barrier(bo), day); });
}

// Gloo reduces tensors where they are; NCCL needs them on the rank's GPU.
torch::Tensor to_group(const torch::Tensor& t) { return g->backend == "nccl" ? t.to(g->device) : t; }

// ---- rendezvous checks on top of the store ----

void check_worlds(c10d::Store& s, const Env& e, int upto) {
  for (int r = 0; r < upto; ++r) {
    std::string key = cat("libu/world/", r);
    if (!s.check({key})) continue;
    auto v = s.get(key);
    std::string w(v.begin(), v.end());
    if (w != std::to_string(e.world))
      fail(cat("WORLD_SIZE disagrees between ranks: rank ", r, " says ", w, ", rank ", e.rank, " says ", e.world),
           "start every rank with the same WORLD_SIZE (`libu launch` sets it for you)");
  }
}

void rendezvous(c10d::Store& s, const Env& e, ms timeout) {
  if (s.add(cat("libu/claim/", e.rank), 1) > 1)
    fail(cat("RANK ", e.rank, " is claimed by two processes"), "give each process its own RANK in 0..WORLD_SIZE-1");
  std::string w = std::to_string(e.world);
  s.set(cat("libu/world/", e.rank), std::vector<uint8_t>(w.begin(), w.end()));
  s.add("libu/arrived", 1);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int64_t n = s.add("libu/arrived", 0);
    check_worlds(s, e, std::max<int>(e.world, int(n)));
    if (n > e.world)
      fail(cat(n, " processes joined the rendezvous at ", e.master_addr, ":", e.master_port, " but WORLD_SIZE is ",
               e.world),
           "start exactly WORLD_SIZE ranks, or fix WORLD_SIZE");
    if (n == e.world) return;
    if (std::chrono::steady_clock::now() > deadline) {
      std::string missing;
      for (int r = 0; r < e.world; ++r)
        if (!s.check({cat("libu/claim/", r)})) missing += cat(missing.empty() ? "" : ", ", r);
      fail(cat("only ", n, " of WORLD_SIZE=", e.world, " ranks arrived at ", e.master_addr, ":", e.master_port,
               " within --dist-timeout ", timeout.count() / 1000.0, " s (missing rank ", missing, ")"),
           "start every rank (RANK 0..WORLD_SIZE-1), or fix WORLD_SIZE");
    }
    std::this_thread::sleep_for(ms(20));
  }
}

std::shared_ptr<gloo::transport::Device> gloo_device(const Env& e) {
  if (auto ifname = getenv_str("GLOO_SOCKET_IFNAME")) return c10d::ProcessGroupGloo::createDeviceForInterface(*ifname);
  if (loopback(e.master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

c10::intrusive_ptr<compat::Group> make_group(const std::string& backend, const Env& e,
                                                   const c10::intrusive_ptr<c10d::Store>& store, ms timeout) {
  auto prefixed = c10::make_intrusive<c10d::PrefixStore>("libu/" + backend, store);
  if (backend == "gloo") {
    auto o = c10d::ProcessGroupGloo::Options::create(timeout);
    o->devices.push_back(gloo_device(e));
    return c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, e.rank, e.world, o);
  }
#ifdef LIBU_HAVE_NCCL
  auto o = c10d::ProcessGroupNCCL::Options::create();
  o->timeout = timeout;
  return c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, e.rank, e.world, o);
#else
  fail_internal("nccl requested in a build without NCCL");
#endif
}

std::string choose_backend(const std::string& b, c10::Device device) {
#ifdef LIBU_HAVE_NCCL
  const bool nccl = true;
#else
  const bool nccl = false;
#endif
  if (b != "gloo" && b != "nccl" && b != "auto")
    fail(cat("--dist-backend '", b, "' is not known"), "use gloo, nccl or auto");
  if (b == "nccl" && !nccl)
    fail("--dist-backend nccl: this libu was built against a libtorch without NCCL (CPU only)",
         "use --dist-backend gloo, or build libu against a CUDA libtorch");
  if (b == "auto") return device.is_cuda() && nccl ? "nccl" : "gloo";
  return b;
}

}  // namespace

Env read_env() {
  Env e;
  auto world = getenv_str("WORLD_SIZE");
  if (!world) {
    if (getenv_str("RANK"))
      fail("environment variable RANK is set but WORLD_SIZE is not", "set both (or neither, to run one process)");
    return e;
  }
  e.from_env = true;
  e.world = int(env_int("WORLD_SIZE", 1, 1, 1 << 20));
  if (e.world > 1 && !getenv_str("RANK"))
    fail(cat("WORLD_SIZE=", e.world, " but RANK is not set"), "set RANK to this process's rank in 0..WORLD_SIZE-1");
  e.rank = int(env_int("RANK", 0, 0, e.world - 1));
  e.master_addr = getenv_str("MASTER_ADDR").value_or("127.0.0.1");
  e.master_port = int(env_int("MASTER_PORT", 29500, 1, 65535));
  e.local_rank = int(env_int("LOCAL_RANK", e.rank, 0, e.world - 1));
  e.local_world = int(env_int("LOCAL_WORLD_SIZE", loopback(e.master_addr) ? e.world : 1, 1, e.world));
  return e;
}

void init(const InitOptions& o, c10::Device device) {
  if (g) fail_internal("dist::init called twice");
  Env e = read_env();
  if (e.world <= 1) return;
  if (!(o.timeout_s > 0)) fail(cat("--dist-timeout ", o.timeout_s), "give a positive number of seconds");
  std::string backend = choose_backend(o.backend, device);
  std::signal(SIGPIPE, SIG_IGN);  // a peer that dies must give an error, not kill this process
  auto st = std::make_unique<State>();
  st->env = e;
  st->opt = o;
  st->timeout = ms(int64_t(o.timeout_s * 1000));
  st->backend = backend;
  st->device = backend == "nccl" ? rank_device(device) : c10::Device(c10::kCPU);
  try {
    st->store = connect_store(e, e.rank == 0, st->timeout);
  } catch (const std::exception& ex) {
    if (e.rank == 0)
      fail(cat("MASTER_PORT ", e.master_port, ": rank 0 cannot open the rendezvous store on port ", e.master_port,
               " (", first_line(ex.what()), ")"),
           "the port is in use (an earlier run still alive?); choose a free one with MASTER_PORT or `libu launch "
           "--master-port`");
    fail(cat("rank ", e.rank, " could not reach rank 0's rendezvous store at ", e.master_addr, ":", e.master_port,
             " within --dist-timeout ", o.timeout_s, " s (", first_line(ex.what()), ")"),
         "start rank 0, and check MASTER_ADDR / MASTER_PORT and the firewall");
  }
  g = st.release();
  try {
    rendezvous(*g->store, e, g->timeout);
    g->heartbeat = std::thread(heartbeat_loop, e, g->timeout);
    guarded("setup of the process group", [&] { g->pg = make_group(backend, e, g->store, g->timeout); });
  } catch (...) {
    shutdown();
    throw;
  }
  log_debug("distributed: rank ", e.rank, " of ", e.world, " (", backend, ", store ", e.master_addr, ":",
            e.master_port, ")");
}

void shutdown() {
  if (!g) return;
  std::unique_ptr<State> st(g);
  std::exception_ptr err;
  if (st->pg) {
    try {
      // Rank 0 may still be writing the outputs (a merged 7b model takes minutes): the final
      // wait is not bounded by --dist-timeout. A rank 0 that dies still ends it at once.
      final_barrier();
    } catch (...) {
      err = std::current_exception();
    }
  }
  {
    std::lock_guard<std::mutex> lk(st->mu);
    st->stopping = true;
  }
  st->cv.notify_all();
  if (st->heartbeat.joinable()) st->heartbeat.join();
  st->pg.reset();
  g = nullptr;
  if (err) std::rethrow_exception(err);
}

int rank() { return g ? g->env.rank : 0; }
int world_size() { return g ? g->env.world : 1; }
int local_rank() { return g ? g->env.local_rank : 0; }
bool active() { return g != nullptr; }
bool is_main() { return rank() == 0; }
std::string backend_name() { return g ? g->backend : "none"; }

c10::Device rank_device(c10::Device requested) {
  if (!requested.is_cuda()) return requested;
  Env e = read_env();
  return e.world > 1 ? c10::Device(c10::kCUDA, c10::DeviceIndex(e.local_rank)) : requested;
}

namespace {
// Runs one collective on all of `ts` at once: flattened into one buffer [Σ numel] on the
// group's device, then copied back into each tensor.
template <typename Op>
void on_flat(std::vector<torch::Tensor>& ts, const char* what, Op&& op) {
  if (!g || ts.empty()) return;
  std::vector<torch::Tensor> flat;
  for (auto& t : ts) flat.push_back(t.reshape({-1}));
  std::vector<torch::Tensor> buf = {to_group(torch::cat(flat))};
  guarded(what, [&] { wait_work(op(buf)); });
  int64_t off = 0;
  torch::NoGradGuard ng;
  for (auto& t : ts) {
    t.copy_(buf[0].narrow(0, off, t.numel()).view(t.sizes()));
    off += t.numel();
  }
}
}  // namespace

void all_reduce_sum(std::vector<torch::Tensor>& ts) {
  on_flat(ts, "all-reduce", [](std::vector<torch::Tensor>& b) { return g->pg->allreduce(b); });
}

void broadcast(std::vector<torch::Tensor>& ts) {
  on_flat(ts, "broadcast", [](std::vector<torch::Tensor>& b) { return g->pg->broadcast(b); });
}

bool broadcast_flag(bool v) {
  if (!g) return v;
  std::vector<torch::Tensor> t = {torch::tensor({int64_t(v)}, torch::kLong)};
  broadcast(t);
  return t[0].item<int64_t>() != 0;
}

namespace {
torch::Tensor bytes_tensor(const std::string& s, int64_t n) {  // [n] uint8, zero-padded
  auto t = torch::zeros({n}, torch::kUInt8);
  std::memcpy(t.data_ptr<uint8_t>(), s.data(), s.size());
  return t;
}
}  // namespace

std::string broadcast_string(const std::string& s) {
  if (!g) return s;
  std::vector<torch::Tensor> len = {torch::tensor({int64_t(s.size())}, torch::kLong)};
  broadcast(len);
  int64_t n = len[0].item<int64_t>();
  std::vector<torch::Tensor> b = {bytes_tensor(g->env.rank == 0 ? s : std::string(), std::max<int64_t>(n, 1))};
  broadcast(b);  // (b stays on the CPU: broadcast copies through the group's device)
  return std::string(reinterpret_cast<const char*>(b[0].data_ptr<uint8_t>()), size_t(n));
}

std::vector<std::string> all_gather_strings(const std::string& mine) {
  if (!g) return {mine};
  const int W = g->env.world;
  // Lengths first (allgather needs equal sizes), then the bytes padded to the longest.
  std::vector<std::vector<torch::Tensor>> lens(1);
  for (int r = 0; r < W; ++r) lens[0].push_back(to_group(torch::zeros({1}, torch::kLong)));
  std::vector<torch::Tensor> my_len = {to_group(torch::tensor({int64_t(mine.size())}, torch::kLong))};
  guarded("all-gather", [&] { wait_work(g->pg->allgather(lens, my_len)); });
  int64_t n = 1;
  for (auto& l : lens[0]) n = std::max(n, l.item<int64_t>());  // (item() copies from a GPU)
  std::vector<std::vector<torch::Tensor>> out(1);
  for (int r = 0; r < W; ++r) out[0].push_back(to_group(torch::zeros({n}, torch::kUInt8)));
  std::vector<torch::Tensor> in = {to_group(bytes_tensor(mine, n))};
  guarded("all-gather", [&] { wait_work(g->pg->allgather(out, in)); });
  std::vector<std::string> res;
  for (int r = 0; r < W; ++r)
    res.emplace_back(reinterpret_cast<const char*>(out[0][size_t(r)].cpu().data_ptr<uint8_t>()),
                     size_t(lens[0][size_t(r)].item<int64_t>()));
  return res;
}

void barrier() {
  if (!g) return;
  c10d::BarrierOptions bo;
  bo.timeout = g->timeout;
  guarded("barrier", [&] { wait_work(g->pg->barrier(bo)); });
}

}  // namespace libu::dist
