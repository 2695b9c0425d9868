// A seeded pseudo-random generator whose sequence is the same on every machine and compiler
// (xoshiro256** seeded by splitmix64; normals by Box-Muller), unlike <random>'s distributions.
#pragma once

#include <array>
#include <cstdint>

namespace revgan {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) { reseed(seed); }
  void reseed(uint64_t seed);
  uint64_t next_u64();
  double uniform();                  // [0, 1) with 53 random bits
  double normal();                   // standard normal
  uint64_t below(uint64_t bound);    // uniform integer in [0, bound), bound > 0

  // Full state, for checkpoints (resuming must reproduce the same sequence).
  struct State {
    std::array<uint64_t, 4> s{};
    double spare_normal = 0;
    bool has_spare = false;
  };
  State state() const { return {s_, spare_, has_spare_}; }
  void set_state(const State& st) {
    s_ = st.s;
    spare_ = st.spare_normal;
    has_spare_ = st.has_spare;
  }

 private:
  std::array<uint64_t, 4> s_{};
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace revgan
