// The emulator's settings, read once from the environment:
//   REVGAN_EMU_DEVICES        emulated devices (default 2, so multi-device code paths run)
//   REVGAN_EMU_DEVICE_MEMORY  bytes per device, with an optional K/M/G suffix (default 16G)
//   REVGAN_EMU_SHUFFLE        a non-zero seed runs blocks, and the threads of each block, in a
//                             random order derived from it (default 0: index order)
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>

namespace revgan::emu {

struct Config {
  int devices = 2;
  std::size_t memory_per_device = std::size_t{16} << 30;
  std::uint64_t shuffle_seed = 0;
};

const Config& config();

namespace testing {
// Overrides the shuffle seed for the calling process (0 turns shuffling off).
void set_shuffle_seed(std::uint64_t seed);
}  // namespace testing

// Guards all emulator state (allocations, streams, events, handles). Recursive: running queued
// work can reach other streams' queues.
std::recursive_mutex& state_mutex();

}  // namespace revgan::emu
