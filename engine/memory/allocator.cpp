// Allocator accounting shared by every device, and the CPU allocator (aligned malloc).
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

namespace {

class CpuAllocator final : public Allocator {
 public:
  Device device() const override { return Device::cpu(); }

 protected:
  void* raw_allocate(std::size_t bytes) override {
    constexpr std::size_t alignment = 64;
    std::size_t rounded = (bytes + alignment - 1) / alignment * alignment;
    void* ptr = std::aligned_alloc(alignment, rounded);
    REVGAN_CHECK(ptr != nullptr, "cpu allocator: out of memory allocating {} bytes ({} live)", bytes,
                 stats().live_bytes);
    return ptr;
  }
  void raw_deallocate(void* ptr, std::size_t) noexcept override { std::free(ptr); }
};

}  // namespace

Allocator& cpu_allocator() {
  static CpuAllocator instance;
  return instance;
}

}  // namespace revgan
