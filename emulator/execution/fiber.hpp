// User-space fibers for the emulated threads of a block: a context switch that saves the
// callee-saved registers on the current stack and swaps stack pointers (x86-64 System V, a few
// lines of assembly in fiber.cpp), so a switch costs a function call and no system call. Kernel
// code never changes the floating-point control state, so MXCSR and the x87 control word are
// not switched. AddressSanitizer is told about every switch.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace revgan::emu {

// A stack with an inaccessible guard page below it, so an overflow faults instead of
// overwriting a neighbour.
class FiberStack {
 public:
  explicit FiberStack(std::size_t bytes);
  ~FiberStack();
  FiberStack(const FiberStack&) = delete;
  FiberStack& operator=(const FiberStack&) = delete;
  char* bottom() const { return base_ + guard_; }
  std::size_t size() const { return size_; }

 private:
  char* base_ = nullptr;
  std::size_t guard_ = 0;
  std::size_t size_ = 0;
};

// A suspended execution context. The scheduler's own context is a Fiber without a stack of its
// own (it runs on the OS thread's stack); its bounds are learnt when the first fiber starts.
struct Fiber {
  void* sp = nullptr;
  const void* stack_bottom = nullptr;
  std::size_t stack_size = 0;
  void* fake_stack = nullptr;  // AddressSanitizer's bookkeeping while suspended
};

using FiberEntry = void (*)(void* arg);

// Makes `fiber` start entry(arg) on `stack` when switched to. entry must never return: it ends
// with exit_fiber.
void prepare_fiber(Fiber& fiber, FiberStack& stack, FiberEntry entry, void* arg);
// Suspends `from` and resumes `to`; returns when something switches back to `from`.
void switch_fiber(Fiber& from, Fiber& to);
// Leaves `from` for good and resumes `to`.
[[noreturn]] void exit_fiber(Fiber& from, Fiber& to);
// First statement of every fiber entry: completes the switch that started it and, the first
// time, records the bounds of the scheduler's context (`caller`), which the first fiber of an OS
// thread is always started from.
void fiber_started(Fiber& caller);

// Stacks reused by every block an OS thread runs; grows to the largest block seen.
class StackPool {
 public:
  FiberStack& at(std::size_t i);

 private:
  std::vector<std::unique_ptr<FiberStack>> stacks_;
};

// Stack bytes per emulated thread (larger under AddressSanitizer, whose frames carry redzones).
std::size_t fiber_stack_bytes();

}  // namespace revgan::emu
