// The block scheduler. The scheduler runs on the OS thread's stack (main_); every emulated
// thread that waits at a barrier or shuffle switches back to it, and it resumes the ready
// threads in sweeps (in thread order, or shuffled) until all are done or none can move.
#include "emulator/execution/block_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "cuda_runtime.h"
#include "emulator/execution/stats.hpp"

namespace revgan::emu {

namespace {

thread_local BlockRunner* tl_runner = nullptr;

const char* base_name(const char* file) {
  const char* slash = std::strrchr(file, '/');
  return slash != nullptr ? slash + 1 : file;
}

std::string site(const char* file, int line) {
  return fmt::format("{}:{}", base_name(file), line);
}

// The same source line (the pointers are usually equal: one string per file after linking).
bool same_site(const char* file_a, int line_a, const char* file_b, int line_b) {
  return line_a == line_b && (file_a == file_b || std::strcmp(file_a, file_b) == 0);
}

}  // namespace

// Records the fault (a std::string) and leaves the faulting fiber for good. The fiber's frames
// are abandoned, never unwound, so the message is made in a statement of its own: no temporary
// holding heap memory is alive when the fiber leaves.
#define REVGAN_EMU_FAIL(message) \
  do {                           \
    record_fault(message);       \
    abandon();                   \
  } while (0)

BlockRunner* BlockRunner::current() {
  return tl_runner;
}

BlockRunner::Outcome BlockRunner::run(const KernelBody& body, unsigned threads, bool start_with_fibers,
                                      std::mt19937_64* shuffle) {
  body_ = &body;
  n_ = threads;
  shuffle_ = shuffle;
  slots_.assign(n_, Slot{});
  order_.resize(n_);
  for (unsigned t = 0; t < n_; ++t) order_[t] = t;
  if (shuffle_ != nullptr) std::shuffle(order_.begin(), order_.end(), *shuffle_);
  warps_.assign((n_ + 31) / 32, Warp{});
  fiber_mode_ = false;
  plain_pos_ = 0;
  sweep_pos_ = n_;  // no sweep runs yet: a thread promoted from the plain loop yields to run()
  done_ = 0;
  barrier_waiting_ = 0;
  fault_.clear();

  BlockRunner* outer = tl_runner;
  tl_runner = this;
  if (start_with_fibers) {
    fiber_mode_ = true;
    for (unsigned t = 0; t < n_; ++t) prepare_fiber(slots_[t].fiber, stacks_.at(t), &thread_entry, this);
    schedule();
  } else {
    prepare_fiber(plain_, stacks_.at(0), &plain_entry, this);
    running_ = &plain_;
    stats().switches += 1;
    switch_fiber(main_, plain_);
    if (fiber_mode_ && fault_.empty()) schedule();
  }
  tl_runner = outer;
  Outcome out;
  out.used_fibers = fiber_mode_;
  out.fault = std::move(fault_);
  return out;
}

void BlockRunner::plain_entry(void* self) {
  auto* r = static_cast<BlockRunner*>(self);
  fiber_started(r->main_);
  r->plain_loop();
}

void BlockRunner::thread_entry(void* self) {
  auto* r = static_cast<BlockRunner*>(self);
  fiber_started(r->main_);
  r->thread_main();
}

void BlockRunner::plain_loop() {
  for (; plain_pos_ < n_; ++plain_pos_) {
    const unsigned t = order_[plain_pos_];
    current_ = t;
    threadIdx.x = t;
    body_->invoke(body_->closure.get());
    // A barrier or shuffle made this thread a fiber while it ran: it ends as one.
    if (fiber_mode_) finish_thread(t);
    slots_[t].state = State::done;
    ++done_;
    ++warps_[t / 32].exited;
  }
  stats().plain_threads += n_;
  stats().switches += 1;
  exit_fiber(plain_, main_);
}

void BlockRunner::thread_main() {
  body_->invoke(body_->closure.get());
  finish_thread(current_);
}

void BlockRunner::finish_thread(unsigned t) {
  slots_[t].state = State::done;
  ++done_;
  ++warps_[t / 32].exited;
  if (barrier_waiting_ > 0)
    REVGAN_EMU_FAIL(
        fmt::format("thread {} exited while {} thread(s) wait at __syncthreads ({}): a barrier must be reached by "
                    "every thread of the block",
                    t, barrier_waiting_, site(barrier_file_, barrier_line_)));
  const Warp& w = warps_[t / 32];
  if (w.arrived > 0)
    REVGAN_EMU_FAIL(
        fmt::format("thread {} exited while {} lane(s) of its warp wait at __shfl_down_sync ({}): a full-mask "
                    "shuffle must be reached by all 32 lanes",
                    t, w.arrived, site(w.file, w.line)));
  leave();
}

void BlockRunner::record_fault(std::string message) {
  if (fault_.empty()) fault_ = std::move(message);
}

void BlockRunner::abandon() {
  stats().switches += 1;
  exit_fiber(*running_, main_);
}

int BlockRunner::next_ready() {
  while (sweep_pos_ < n_) {
    const unsigned t = order_[sweep_pos_++];
    if (slots_[t].state == State::ready) return static_cast<int>(t);
  }
  return -1;
}

void BlockRunner::enter(unsigned t) {
  current_ = t;
  threadIdx.x = t;
  running_ = &slots_[t].fiber;
  ran_ = true;
}

void BlockRunner::yield() {
  Fiber& self = *running_;
  stats().switches += 1;
  const int next = next_ready();
  if (next < 0) {
    switch_fiber(self, main_);
    return;
  }
  enter(static_cast<unsigned>(next));
  switch_fiber(self, slots_[next].fiber);
}

void BlockRunner::leave() {
  Fiber& self = *running_;
  stats().switches += 1;
  const int next = fault_.empty() ? next_ready() : -1;
  if (next < 0) exit_fiber(self, main_);
  enter(static_cast<unsigned>(next));
  exit_fiber(self, slots_[next].fiber);
}

unsigned BlockRunner::warp_size(unsigned warp) const {
  return std::min(32u, n_ - warp * 32);
}

// The thread running in the plain loop reached a barrier or shuffle. That is legal only if no
// thread that must take part in it has already run to completion without it.
void BlockRunner::promote(bool for_barrier, const char* file, int line) {
  const unsigned t = current_;
  for (std::size_t i = 0; i < plain_pos_; ++i) {
    const unsigned u = order_[i];
    if (for_barrier)
      REVGAN_EMU_FAIL(fmt::format("__syncthreads ({}) reached by thread {}, but thread {} exited without reaching it",
                                  site(file, line), t, u));
    if (u / 32 == t / 32)
      REVGAN_EMU_FAIL(
          fmt::format("__shfl_down_sync ({}) reached by thread {}, but lane {} of its warp exited without reaching it",
                      site(file, line), t, u % 32));
  }
  fiber_mode_ = true;
  slots_[t].fiber = plain_;
  running_ = &slots_[t].fiber;
  std::size_t next_stack = 1;
  for (std::size_t i = plain_pos_ + 1; i < n_; ++i)
    prepare_fiber(slots_[order_[i]].fiber, stacks_.at(next_stack++), &thread_entry, this);
  stats().plain_threads += plain_pos_;
}

// Each sweep resumes the first ready thread; the threads then hand over to one another until
// the sweep's end, where control comes back here.
void BlockRunner::schedule() {
  while (fault_.empty() && done_ < n_) {
    if (shuffle_ != nullptr) std::shuffle(order_.begin(), order_.end(), *shuffle_);
    sweep_pos_ = 0;
    ran_ = false;
    const int first = next_ready();
    if (first >= 0) {
      enter(static_cast<unsigned>(first));
      stats().switches += 1;
      switch_fiber(main_, slots_[first].fiber);
    }
    if (!ran_ && fault_.empty() && done_ < n_) fault_ = describe_stall();
  }
  stats().fiber_threads += n_;
}

std::string BlockRunner::describe_stall() const {
  std::map<std::string, unsigned> shuffles;
  for (unsigned t = 0; t < n_; ++t)
    if (slots_[t].state == State::at_shuffle) {
      const Warp& w = warps_[t / 32];
      ++shuffles[fmt::format("warp {} at {}", t / 32, site(w.file, w.line))];
    }
  std::string waits;
  for (const auto& [where, count] : shuffles) waits += fmt::format("; {} lane(s) of {}", count, where);
  return fmt::format(
      "the block cannot make progress: {} thread(s) wait at __syncthreads{}{}; {} exited; every thread must reach "
      "the same barriers and every lane of a warp the same shuffles",
      barrier_waiting_, barrier_waiting_ > 0 ? fmt::format(" ({})", site(barrier_file_, barrier_line_)) : "", waits,
      done_);
}

void BlockRunner::barrier(const char* file, int line) {
  if (!fiber_mode_) promote(true, file, line);
  const unsigned t = current_;
  if (done_ > 0)
    REVGAN_EMU_FAIL(
        fmt::format("__syncthreads ({}) reached by thread {} after {} thread(s) of the block exited without reaching "
                    "it",
                    site(file, line), t, done_));
  if (barrier_waiting_ == 0) {
    barrier_file_ = file;
    barrier_line_ = line;
  } else if (!same_site(barrier_file_, barrier_line_, file, line)) {
    REVGAN_EMU_FAIL(fmt::format("thread {} waits at __syncthreads ({}) while {} thread(s) wait at a different one ({})",
                                t, site(file, line), barrier_waiting_, site(barrier_file_, barrier_line_)));
  }
  if (++barrier_waiting_ == n_) {
    for (Slot& s : slots_)
      if (s.state == State::at_barrier) s.state = State::ready;
    barrier_waiting_ = 0;
    stats().barriers += 1;
    return;
  }
  slots_[t].state = State::at_barrier;
  yield();
}

double BlockRunner::shuffle(const char* file, int line, unsigned mask, double value, bool is_double, unsigned delta,
                            int width) {
  if (!fiber_mode_) promote(false, file, line);
  const unsigned t = current_;
  const unsigned warp = t / 32, lane = t % 32;
  if (mask != 0xffffffffu)
    REVGAN_EMU_FAIL(fmt::format("__shfl_down_sync ({}) with mask {:#x}: only full-mask shuffles are emulated",
                                site(file, line), mask));
  if (width != 32)
    REVGAN_EMU_FAIL(
        fmt::format("__shfl_down_sync ({}) with width {}: only width 32 is emulated", site(file, line), width));
  if (warp_size(warp) < 32)
    REVGAN_EMU_FAIL(
        fmt::format("full-mask __shfl_down_sync ({}) in warp {}, which has only {} thread(s) (blockDim.x = {}): "
                    "lanes outside the block cannot take part",
                    site(file, line), warp, warp_size(warp), n_));
  Warp& w = warps_[warp];
  if (w.exited > 0)
    for (unsigned l = 0; l < 32; ++l)
      if (slots_[warp * 32 + l].state == State::done)
        REVGAN_EMU_FAIL(fmt::format("__shfl_down_sync ({}) reached by lane {} of warp {}, but lane {} has exited",
                                    site(file, line), lane, warp, l));
  if (w.arrived == 0) {
    w.file = file;
    w.line = line;
  } else if (!same_site(w.file, w.line, file, line)) {
    REVGAN_EMU_FAIL(fmt::format("lane {} of warp {} shuffles at {} while {} lane(s) shuffle at {}", lane, warp,
                                site(file, line), w.arrived, site(w.file, w.line)));
  }
  w.value[lane] = value;
  w.is_double[lane] = is_double;
  w.delta[lane] = delta;
  if (++w.arrived == 32) {
    for (unsigned l = 0; l < 32; ++l) {
      if (w.is_double[l] != w.is_double[0])
        REVGAN_EMU_FAIL(
            fmt::format("lanes of warp {} shuffle values of different types at {}", warp, site(file, line)));
      const unsigned src = l + w.delta[l];
      w.result[l] = src < 32 ? w.value[src] : w.value[l];
      if (l != lane && slots_[warp * 32 + l].state == State::at_shuffle) slots_[warp * 32 + l].state = State::ready;
    }
    w.arrived = 0;
    stats().shuffles += 1;
    return w.result[lane];
  }
  slots_[t].state = State::at_shuffle;
  yield();
  return w.result[lane];
}

void sync_threads(const char* file, int line) {
  if (BlockRunner* r = BlockRunner::current()) r->barrier(file, line);
}

float shfl_down_sync(const char* file, int line, unsigned mask, float value, unsigned delta, int width) {
  BlockRunner* r = BlockRunner::current();
  if (r == nullptr) return value;
  return static_cast<float>(r->shuffle(file, line, mask, static_cast<double>(value), false, delta, width));
}

double shfl_down_sync(const char* file, int line, unsigned mask, double value, unsigned delta, int width) {
  BlockRunner* r = BlockRunner::current();
  if (r == nullptr) return value;
  return r->shuffle(file, line, mask, value, true, delta, width);
}

}  // namespace revgan::emu
