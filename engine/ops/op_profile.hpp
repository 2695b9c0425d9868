// Wall time per op, for finding where a step's time goes (`bench train --profile_ops`). While
// on, every CPU dispatch (ops::dispatch: the ops of the op table, the optimizer update, dtype
// conversion) adds its time to a row keyed by op name, whether autograd was recording, and the
// shape of the tensor it dispatched on. Backward formulas run with recording off, so a
// training step's "no-grad" rows are its backward passes (and no-grad forwards). CUDA dispatches
// return before their kernels finish and are not timed. Off by default: one atomic load per
// dispatch.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/shape.hpp"

namespace revgan::ops {

struct OpTimeRow {
  std::string op;          // op_table name, or the named computation ("Adam", ...)
  bool recording = false;  // autograd was recording (a forward of a training graph)
  std::string shape;       // of the dispatched-on tensor (conv: x forward, dy backward)
  double seconds = 0;
  int64_t calls = 0;
};

namespace detail {
inline std::atomic<bool> op_profiling_on{false};
void record_op_time(std::string_view op, const Shape& shape, double seconds);
}  // namespace detail

inline bool op_profiling() { return detail::op_profiling_on.load(std::memory_order_relaxed); }
void set_op_profiling(bool on);
void reset_op_profile();
// Rows so far, the costliest first.
std::vector<OpTimeRow> op_profile();

}  // namespace revgan::ops
