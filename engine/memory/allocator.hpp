// Per-device allocators with byte accounting. Every tensor byte goes through one of these;
// statistics (current and peak live bytes, per category and in total, allocation counts,
// reserved bytes for caching allocators) are what tests and the bench assert on.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "engine/core/device.hpp"
#include "engine/memory/memory_category.hpp"

namespace revgan {

struct MemoryStats {
  int64_t live_bytes = 0;       // bytes handed out and not yet returned
  int64_t peak_live_bytes = 0;  // max of live_bytes since the last reset_peak()
  std::array<int64_t, memory_category_count> live_by_category{};
  std::array<int64_t, memory_category_count> peak_by_category{};  // each category's own peak
  int64_t reserved_bytes = 0;       // held from the system (== live on the CPU)
  int64_t peak_reserved_bytes = 0;
  int64_t allocations = 0;  // calls to allocate() since construction
  int64_t frees = 0;

  int64_t live(MemoryCategory c) const { return live_by_category[static_cast<std::size_t>(c)]; }
  int64_t peak(MemoryCategory c) const { return peak_by_category[static_cast<std::size_t>(c)]; }
};

class Allocator {
 public:
  virtual ~Allocator() = default;
  // Returns at least `bytes` bytes, 64-byte aligned; throws revgan::Error when out of memory.
  void* allocate(std::size_t bytes, MemoryCategory category);
  void deallocate(void* ptr, std::size_t bytes, MemoryCategory category) noexcept;

  MemoryStats stats() const;
  // Peaks restart from the current live values.
  void reset_peak();
  virtual Device device() const = 0;
  // Caching allocators return cached blocks to the system.
  virtual void empty_cache() {}

 protected:
  virtual void* raw_allocate(std::size_t bytes) = 0;
  virtual void raw_deallocate(void* ptr, std::size_t bytes) noexcept = 0;
  // For caching allocators: reserved bytes reported by the implementation.
  virtual int64_t reserved_bytes_locked() const { return stats_.live_bytes; }

  mutable std::mutex mutex_;
  MemoryStats stats_;
};

// The allocator for a device; CUDA ones exist only in CUDA builds with a device present.
Allocator& allocator_for(Device device);
Allocator& cpu_allocator();

}  // namespace revgan
