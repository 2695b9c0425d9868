// The emulator's execution model: barrier-free kernels run as a plain loop, kernels with
// barriers and shuffles as fibers with CUDA's block semantics (block_sum from kernels/cuda is
// exact for every block size), __shared__ is one copy per block, grids beyond 65,535 blocks run,
// the shuffled order keeps correct kernels correct, and a fiber switch costs no system call.
#include <chrono>
#include <cmath>
#include <numeric>

#include "emulator/execution/stats.hpp"
#include "emulator/runtime/config.hpp"
#include "kernels/cuda/loops.cuh"
#include "tests/emulator/emu_test_util.hpp"

using namespace revgan;
using test::DeviceArray;

namespace {

namespace detail = kernels::cuda::detail;

__global__ void global_index_kernel(int64_t* out) {
  out[detail::first_index()] = detail::first_index();
}

// out[block] = the sum over the block's threads of (block + 1) * thread.
__global__ void block_sum_kernel(double* out) {
  const double s = detail::block_sum(static_cast<double>((blockIdx.x + 1) * threadIdx.x));
  if (threadIdx.x == 0) out[blockIdx.x] = s;
}

// Thread 0 publishes the block index through shared memory; every thread reads it back.
__global__ void shared_copy_kernel(unsigned* out) {
  __shared__ unsigned value;
  if (threadIdx.x == 0) value = blockIdx.x;
  __syncthreads();
  out[blockIdx.x * blockDim.x + threadIdx.x] = value;
}

// Records the order in which the threads of one block start (the emulator runs them on one OS
// thread, so a plain counter is race-free here).
__global__ void start_order_kernel(unsigned* order, unsigned* counter) {
  order[(*counter)++] = threadIdx.x;
}

__global__ void barrier_loop_kernel(int64_t rounds, int64_t* out) {
  int64_t sum = 0;
  for (int64_t r = 0; r < rounds; ++r) {
    sum += r;
    __syncthreads();
  }
  out[threadIdx.x] = sum;
}

// Restores the configured shuffle seed at scope exit.
struct ShuffleScope {
  explicit ShuffleScope(uint64_t seed) : saved(emu::config().shuffle_seed) { emu::testing::set_shuffle_seed(seed); }
  ~ShuffleScope() { emu::testing::set_shuffle_seed(saved); }
  uint64_t saved;
};

}  // namespace

TEST_CASE("emulator: a barrier-free kernel runs as a plain loop over its threads", "[emulator]") {
  DeviceArray<int64_t> out(3 * 256);
  const emu::Stats before = emu::stats();
  REVGAN_LAUNCH(3, 256, 0, nullptr, global_index_kernel)(out.get());
  REQUIRE(cudaGetLastError() == cudaSuccess);
  const std::vector<int64_t> v = out.host();
  for (std::size_t i = 0; i < v.size(); ++i) REQUIRE(v[i] == static_cast<int64_t>(i));
  CHECK(emu::stats().plain_threads - before.plain_threads == 3 * 256);
  CHECK(emu::stats().fiber_threads == before.fiber_threads);
}

TEST_CASE("emulator: block_sum is exact for every block size it supports", "[emulator]") {
  for (unsigned threads : {32u, 64u, 96u, 256u, 1024u}) {
    INFO(threads << " threads per block");
    DeviceArray<double> out(5);
    const emu::Stats before = emu::stats();
    REVGAN_LAUNCH(5, threads, 0, nullptr, block_sum_kernel)(out.get());
    REQUIRE(cudaGetLastError() == cudaSuccess);
    const std::vector<double> v = out.host();
    for (unsigned b = 0; b < 5; ++b) CHECK(v[b] == (b + 1) * 0.5 * threads * (threads - 1));
    // Three barriers per call and every block ran on fibers.
    CHECK(emu::stats().barriers - before.barriers == 3 * 5);
    CHECK(emu::stats().fiber_threads - before.fiber_threads == 5 * threads);
  }
}

TEST_CASE("emulator: __shared__ is one copy per block, and grids beyond 65,535 blocks run", "[emulator]") {
  const unsigned blocks = 70000, threads = 64;
  DeviceArray<unsigned> out(std::size_t{blocks} * threads);
  REVGAN_LAUNCH(blocks, threads, 0, nullptr, shared_copy_kernel)(out.get());
  REQUIRE(cudaGetLastError() == cudaSuccess);
  const std::vector<unsigned> v = out.host();
  for (std::size_t i = 0; i < v.size(); ++i) REQUIRE(v[i] == i / threads);
}

TEST_CASE("emulator: the shuffled order changes the thread order and keeps correct kernels correct", "[emulator]") {
  ShuffleScope shuffle(12345);
  DeviceArray<unsigned> order(256), counter(std::vector<unsigned>{0});
  REVGAN_LAUNCH(1, 256, 0, nullptr, start_order_kernel)(order.get(), counter.get());
  REQUIRE(cudaGetLastError() == cudaSuccess);
  std::vector<unsigned> o = order.host();
  std::vector<unsigned> identity(256);
  std::iota(identity.begin(), identity.end(), 0u);
  CHECK(o != identity);
  std::sort(o.begin(), o.end());
  CHECK(o == identity);  // every thread ran once

  DeviceArray<double> sums(7);
  REVGAN_LAUNCH(7, 256, 0, nullptr, block_sum_kernel)(sums.get());
  REQUIRE(cudaGetLastError() == cudaSuccess);
  const std::vector<double> v = sums.host();
  for (unsigned b = 0; b < 7; ++b) CHECK(v[b] == (b + 1) * 0.5 * 256 * 255);
}

TEST_CASE("emulator: a fiber switch is a user-space switch, far below a system call", "[emulator]") {
  const int64_t rounds = 4000;
  DeviceArray<int64_t> out(256);
  const emu::Stats before = emu::stats();
  const auto start = std::chrono::steady_clock::now();
  REVGAN_LAUNCH(1, 256, 0, nullptr, barrier_loop_kernel)(rounds, out.get());
  REQUIRE(cudaGetLastError() == cudaSuccess);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::vector<int64_t> v = out.host();
  for (int64_t s : v) REQUIRE(s == rounds * (rounds - 1) / 2);
  const uint64_t switches = emu::stats().switches - before.switches;
  // Per round every thread but the last to arrive switches out and back in.
  CHECK(switches >= static_cast<uint64_t>(rounds * 255));
  const double ns = seconds * 1e9 / static_cast<double>(switches);
  WARN("fiber switches: " << switches << " in " << seconds << " s, " << ns << " ns per switch (scheduling included)");
  // ucontext's swapcontext costs about 1,500 ns (a system call per switch).
  CHECK(ns < 500);
}
