// Allocator accounting shared by every device (the CPU allocator is in cpu_allocator.cpp).
#include "engine/memory/allocator.hpp"

#include <algorithm>
#include <cstdlib>

#include "engine/core/check.hpp"

namespace revgan {

void* Allocator::allocate(std::size_t bytes, MemoryCategory category) {
  void* ptr = bytes == 0 ? nullptr : raw_allocate(bytes);
  std::lock_guard lock(mutex_);
  auto c = static_cast<std::size_t>(category);
  auto b = static_cast<int64_t>(bytes);
  stats_.live_bytes += b;
  stats_.live_by_category[c] += b;
  stats_.peak_live_bytes = std::max(stats_.peak_live_bytes, stats_.live_bytes);
  stats_.peak_by_category[c] = std::max(stats_.peak_by_category[c], stats_.live_by_category[c]);
  stats_.reserved_bytes = reserved_bytes_locked();
  stats_.peak_reserved_bytes = std::max(stats_.peak_reserved_bytes, stats_.reserved_bytes);
  ++stats_.allocations;
  return ptr;
}

void Allocator::deallocate(void* ptr, std::size_t bytes, MemoryCategory category) noexcept {
  if (ptr != nullptr) raw_deallocate(ptr, bytes);
  std::lock_guard lock(mutex_);
  auto c = static_cast<std::size_t>(category);
  stats_.live_bytes -= static_cast<int64_t>(bytes);
  stats_.live_by_category[c] -= static_cast<int64_t>(bytes);
  stats_.reserved_bytes = reserved_bytes_locked();
  ++stats_.frees;
}

MemoryStats Allocator::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void Allocator::reset_peak() {
  std::lock_guard lock(mutex_);
  stats_.peak_live_bytes = stats_.live_bytes;
  stats_.peak_by_category = stats_.live_by_category;
  stats_.peak_reserved_bytes = stats_.reserved_bytes;
}


}  // namespace revgan
