// Runs the threads of one block, one block at a time per OS thread. A thread that waits hands
// the OS thread straight to the next ready thread of the sweep (one switch, not two). A block starts as a plain
// loop over its threads on one fiber; the first barrier or shuffle turns the thread that reached
// it into a fiber and gives every thread not yet run a fiber of its own (later blocks of the
// same launch start with fibers). Strict where the hardware is undefined: a __syncthreads that
// not every thread reaches, threads waiting at different barriers, a full-mask shuffle in a
// partial warp or with a lane missing, and a block that can make no progress are faults.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "emulator/execution/fiber.hpp"
#include "emulator/execution/kernel_api.hpp"

namespace revgan::emu {

class BlockRunner {
 public:
  struct Outcome {
    bool used_fibers = false;
    std::string fault;  // empty when the block ran to completion
  };

  // Runs threads [0, threads) of the block whose blockIdx/blockDim/gridDim are already set.
  // `shuffle`, when given, orders the threads' runs (and the fibers' turns) at random.
  Outcome run(const KernelBody& body, unsigned threads, bool start_with_fibers, std::mt19937_64* shuffle);

  // The kernel-side primitives, for the thread that runs now.
  void barrier(const char* file, int line);
  // __shfl_down_sync of a float (is_double false, carried exactly in a double) or a double.
  double shuffle(const char* file, int line, unsigned mask, double value, bool is_double, unsigned delta, int width);

  static BlockRunner* current();

 private:
  enum class State : std::uint8_t { ready, at_barrier, at_shuffle, done };
  struct Slot {
    State state = State::ready;
    Fiber fiber;
  };
  struct Warp {
    unsigned arrived = 0;
    unsigned exited = 0;
    const char* file = nullptr;
    int line = 0;
    bool is_double[32] = {};
    double value[32] = {};
    unsigned delta[32] = {};
    double result[32] = {};
  };

  static void plain_entry(void* self);
  static void thread_entry(void* self);
  [[noreturn]] void plain_loop();
  [[noreturn]] void thread_main();
  [[noreturn]] void finish_thread(unsigned t);
  void record_fault(std::string message);
  [[noreturn]] void abandon();
  int next_ready();
  void enter(unsigned t);
  void yield();
  [[noreturn]] void leave();
  void promote(bool for_barrier, const char* file, int line);
  void schedule();
  std::string describe_stall() const;
  unsigned warp_size(unsigned warp) const;

  const KernelBody* body_ = nullptr;
  unsigned n_ = 0;
  std::vector<Slot> slots_;
  std::vector<unsigned> order_;  // plain-loop order, then the scheduler's sweep order
  std::vector<Warp> warps_;
  StackPool stacks_;
  Fiber main_;
  Fiber plain_;
  Fiber* running_ = nullptr;
  std::mt19937_64* shuffle_ = nullptr;
  bool fiber_mode_ = false;
  std::size_t plain_pos_ = 0;
  std::size_t sweep_pos_ = 0;  // position of the running sweep in order_
  bool ran_ = false;           // whether the running sweep resumed any thread
  unsigned current_ = 0;
  unsigned done_ = 0;
  unsigned barrier_waiting_ = 0;
  const char* barrier_file_ = nullptr;
  int barrier_line_ = 0;
  std::string fault_;
};

}  // namespace revgan::emu
