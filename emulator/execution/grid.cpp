// Grid execution: blocks one at a time through a BlockRunner kept per OS thread. Once a block
// needed fibers, the rest of the launch starts with them (the kernel synchronises).
#include "emulator/execution/grid.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "cuda_runtime.h"
#include "emulator/execution/block_runner.hpp"
#include "emulator/execution/stats.hpp"
#include "emulator/runtime/config.hpp"

namespace revgan::emu {

std::string run_grid(const LaunchSite& site, const KernelBody& body) {
  if (BlockRunner::current() != nullptr) return "a kernel was launched from inside a running kernel";
  thread_local BlockRunner runner;
  thread_local std::uint64_t launch_counter = 0;
  ++launch_counter;
  gridDim = site.grid;
  blockDim = site.block;
  const unsigned blocks = site.grid.x;
  std::mt19937_64 rng(config().shuffle_seed * 1000003u + launch_counter);
  std::mt19937_64* shuffle = config().shuffle_seed != 0 ? &rng : nullptr;
  std::vector<unsigned> order;
  if (shuffle != nullptr) {
    order.resize(blocks);
    std::iota(order.begin(), order.end(), 0u);
    std::shuffle(order.begin(), order.end(), rng);
  }
  bool fibers = false;
  stats().launches += 1;
  for (unsigned i = 0; i < blocks; ++i) {
    const unsigned b = shuffle != nullptr ? order[i] : i;
    blockIdx = uint3{b, 0, 0};
    threadIdx = uint3{0, 0, 0};
    BlockRunner::Outcome out = runner.run(body, site.block.x, fibers, shuffle);
    stats().blocks += 1;
    fibers = fibers || out.used_fibers;
    if (!out.fault.empty())
      return fmt::format("kernel {} launched at {}:{} with {} block(s) of {} thread(s): block {}: {}", site.kernel,
                         site.file, site.line, blocks, site.block.x, b, out.fault);
  }
  return {};
}

}  // namespace revgan::emu
