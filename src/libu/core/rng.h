// libu/core/rng.h — a small deterministic RNG (splitmix64 seeding + xoshiro256**),
// used for data order and synthetic data. Its state serialises to 4 integers, so
// checkpoints can restore it exactly.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace libu {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0);
  uint64_t next_u64();
  // Uniform integer in [0, n).
  uint64_t below(uint64_t n);
  // Uniform double in [0, 1).
  double uniform();
  std::array<uint64_t, 4> state() const { return s_; }
  void set_state(const std::array<uint64_t, 4>& s) { s_ = s; }
  // Fisher–Yates shuffle of a permutation of [0, n).
  std::vector<int64_t> permutation(int64_t n);

 private:
  std::array<uint64_t, 4> s_;
};

// Mixes two integers into a seed (e.g. base seed and epoch).
uint64_t mix_seed(uint64_t a, uint64_t b);

}  // namespace libu
