// libu/dist/c10d_compat.h — the one place where libu's use of c10d differs between libtorch
// versions (issue #24). libtorch 1.13 has ProcessGroupGloo/NCCL derive from c10d::ProcessGroup;
// from 2.0 on they derive from c10d::Backend (ProcessGroup became a dispatcher over backends).
// libu holds one Gloo or NCCL object and calls allreduce/broadcast/allgather/barrier on it,
// which both base classes declare with the same signatures, so only the held type differs.
#pragma once

#include <torch/version.h>

#if !defined(TORCH_VERSION_MAJOR) || (TORCH_VERSION_MAJOR < 1) || (TORCH_VERSION_MAJOR == 1 && TORCH_VERSION_MINOR < 13)
#error "libu needs libtorch 1.13 or newer: point CMAKE_PREFIX_PATH (or LIBU_TORCH) at a newer libtorch"
#endif

#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#if TORCH_VERSION_MAJOR >= 2
#include <torch/csrc/distributed/c10d/Backend.hpp>
namespace libu::dist::compat {
using Group = c10d::Backend;  // ProcessGroupGloo / ProcessGroupNCCL in libtorch 2.x
}  // namespace libu::dist::compat
#else
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
namespace libu::dist::compat {
using Group = c10d::ProcessGroup;  // ProcessGroupGloo / ProcessGroupNCCL in libtorch 1.13
}  // namespace libu::dist::compat
#endif

namespace libu::dist::compat {
// From libtorch 2.4 the TCPStore asks for its libuv server by default, which a libtorch built
// without libuv (Debian trixie's 2.6) refuses; the plain TCP server works in every version.
// Rendezvous traffic is a few keys, so nothing is lost.
inline void plain_tcp_store(c10d::TCPStoreOptions& so) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 2)
  so.useLibUV = false;
#else
  (void)so;
#endif
}
}  // namespace libu::dist::compat
