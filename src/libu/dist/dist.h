// libu/dist/dist.h — data parallelism over processes and machines on libtorch's own c10d
// (ProcessGroupGloo on CPU, ProcessGroupNCCL on CUDA builds; TCPStore for the rendezvous).
//
// The process group is process-wide, like torch.distributed's default group. It follows the
// torchrun conventions: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and
// MASTER_PORT from the environment; absent means one process, and then every collective
// below is a no-op (or the identity), so callers need no `if (distributed)` branches.
//
// Failures never hang and never abort: every collective runs under --dist-timeout, and a
// failed one raises libu::Error naming the lost rank(s). Each rank bumps a heartbeat counter
// in the store twice a second from a background thread; after a failure, the ranks whose
// counter stopped are the lost ones (docs/distributed.md "Failures").
#pragma once
#include <algorithm>
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace libu::dist {

// The torchrun environment of this process.
struct Env {
  int rank = 0, world = 1, local_rank = 0, local_world = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  bool from_env = false;  // WORLD_SIZE was set
};
// Reads and checks the variables; raises Error naming the variable and the fix.
Env read_env();

struct InitOptions {
  std::string backend = "auto";  // gloo | nccl | auto (nccl on CUDA, else gloo)
  double timeout_s = 300;        // rendezvous and every collective
};

// Joins the process group described by read_env(); a no-op for one process. Checks that
// every rank states the same WORLD_SIZE and that no RANK is claimed twice. `device`: the
// device the tensors live on (CUDA → cuda:LOCAL_RANK, see rank_device).
void init(const InitOptions& o, c10::Device device);
// Waits for every rank (a barrier), then leaves the group. Safe to call when not initialised.
void shutdown();

int rank();
int world_size();
int local_rank();
bool active();   // world_size() > 1
bool is_main();  // rank() == 0: the one rank that writes outputs, logs and progress bars
std::string backend_name();  // "gloo", "nccl" or "none"
// "cuda" → cuda:LOCAL_RANK when distributed; any other device unchanged.
c10::Device rank_device(c10::Device requested);

// ---- collectives (identity on one process) ----
// Element-wise sum over ranks, in place, of tensors of one dtype and device, flattened into
// one buffer: one all-reduce whatever the number of tensors.
void all_reduce_sum(std::vector<torch::Tensor>& ts);
// Rank 0's tensors (in place, same shapes on every rank).
void broadcast(std::vector<torch::Tensor>& ts);
// Rank 0's value.
bool broadcast_flag(bool v);
std::string broadcast_string(const std::string& s);
// Every rank's string, in rank order.
std::vector<std::string> all_gather_strings(const std::string& mine);
void barrier();

// ---- sharding ----
// Work item i (a batch of a fixed plan) belongs to rank i mod world_size.
inline bool owns(size_t i) { return world_size() <= 1 || int(i % size_t(world_size())) == rank(); }

// The evaluation batch loop every sharded scorer shares (mia, mmlu, generation): the items
// sorted longest first (stable, so each batch pads little), cut into batches of `batch_size`,
// batch j run by rank j mod world_size through f(the batch's item indices, in order). Returns
// the items this rank ran, for all_gather_entries.
template <typename F>
std::vector<size_t> for_each_owned_batch(const std::vector<size_t>& lengths, size_t batch_size, F&& f) {
  std::vector<size_t> order(lengths.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lengths[a] > lengths[b]; });
  const size_t bs = std::max<size_t>(1, batch_size);
  std::vector<size_t> mine;
  for (size_t start = 0, j = 0; start < order.size(); start += bs, ++j) {
    if (!owns(j)) continue;
    std::vector<size_t> batch(order.begin() + long(start), order.begin() + long(std::min(order.size(), start + bs)));
    mine.insert(mine.end(), batch.begin(), batch.end());
    f(batch);
  }
  return mine;
}

// After each rank filled v[i] for the indices in `mine`, every rank gets every entry (T
// converts to and from nlohmann::json; doubles round-trip exactly). Identity on one process.
template <typename T>
void all_gather_entries(std::vector<T>& v, const std::vector<size_t>& mine) {
  if (!active()) return;
  nlohmann::json j = nlohmann::json::array();
  for (size_t i : mine) j.push_back(nlohmann::json::array({i, v[i]}));
  for (const auto& s : all_gather_strings(j.dump()))
    for (const auto& e : nlohmann::json::parse(s)) v[e[0].get<size_t>()] = e[1].get<T>();
}

}  // namespace libu::dist
