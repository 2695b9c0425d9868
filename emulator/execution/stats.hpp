// Counters of what the emulator did on the calling OS thread (tests measure the switch cost
// and check which execution path a kernel took).
#pragma once

#include <cstdint>

namespace revgan::emu {

struct Stats {
  std::uint64_t launches = 0;
  std::uint64_t blocks = 0;
  std::uint64_t plain_threads = 0;  // threads run by a plain loop, without a fiber of their own
  std::uint64_t fiber_threads = 0;  // threads of blocks that ran as fibers
  std::uint64_t switches = 0;       // fiber switches
  std::uint64_t barriers = 0;       // completed __syncthreads
  std::uint64_t shuffles = 0;       // completed warp shuffles
};

inline thread_local Stats tl_stats;
inline Stats& stats() {
  return tl_stats;
}

}  // namespace revgan::emu
