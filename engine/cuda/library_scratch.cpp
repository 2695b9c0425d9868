// The process-wide count behind library_scratch.hpp, under one mutex (scratch is taken once per
// library call, so the lock is never hot).
#include "engine/cuda/library_scratch.hpp"

#include <algorithm>
#include <mutex>

namespace revgan::cuda {

namespace {

std::mutex scratch_mutex;
LibraryScratchStats scratch;

}  // namespace

LibraryScratchStats library_scratch_stats() {
  std::lock_guard lock(scratch_mutex);
  return scratch;
}

void reset_library_scratch_peak() {
  std::lock_guard lock(scratch_mutex);
  scratch.peak_bytes = scratch.live_bytes;
}

void note_library_scratch_taken(int64_t bytes) {
  std::lock_guard lock(scratch_mutex);
  scratch.live_bytes += bytes;
  scratch.peak_bytes = std::max(scratch.peak_bytes, scratch.live_bytes);
}

void note_library_scratch_released(int64_t bytes) {
  std::lock_guard lock(scratch_mutex);
  scratch.live_bytes -= bytes;
}

}  // namespace revgan::cuda
