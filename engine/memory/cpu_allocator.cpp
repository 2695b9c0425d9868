// The CPU allocator: 64-byte aligned malloc, plus a cache of large freed blocks keyed by size.
// A training step allocates the same large buffers every iteration; handing a freed block
// back for the next request of that size skips the kernel's page-fault and zero-fill work
// that a fresh mmap'ed block costs on first touch (several percent of a step). Reserved bytes
// are live + cached; empty_cache() returns the cached blocks to the system, and the cache
// never holds more than cpu_cache_limit bytes (the largest sizes go first beyond that).
#include <cstdlib>
#include <iterator>
#include <map>
#include <mutex>
#include <vector>

#include "engine/core/check.hpp"
#include "engine/memory/allocator.hpp"

namespace revgan {

namespace {

constexpr std::size_t alignment = 64;
constexpr std::size_t page = 4096;
// Smaller blocks come from malloc's own free lists, which are cheap already.
constexpr std::size_t cache_min_bytes = std::size_t{256} << 10;
constexpr int64_t cpu_cache_limit = int64_t{2} << 30;

class CpuAllocator final : public Allocator {
 public:
  ~CpuAllocator() override { release_cache(); }
  Device device() const override { return Device::cpu(); }
  void empty_cache() override {
    release_cache();
    std::lock_guard lock(mutex_);
    stats_.reserved_bytes = reserved_bytes_locked();
  }

 protected:
  void* raw_allocate(std::size_t bytes) override {
    const std::size_t size = block_size(bytes);
    if (size >= cache_min_bytes) {
      std::lock_guard lock(cache_mutex_);
      auto it = cache_.find(size);
      if (it != cache_.end()) {
        void* ptr = it->second.back();
        it->second.pop_back();
        if (it->second.empty()) cache_.erase(it);
        cached_bytes_ -= static_cast<int64_t>(size);
        return ptr;
      }
    }
    void* ptr = std::aligned_alloc(alignment, size);
    if (ptr == nullptr && cached_bytes() > 0) {
      release_cache();  // the cache may be what stands in the way
      ptr = std::aligned_alloc(alignment, size);
    }
    REVGAN_CHECK(ptr != nullptr, "cpu allocator: out of memory allocating {} bytes ({} live)", bytes,
                 stats().live_bytes);
    return ptr;
  }

  void raw_deallocate(void* ptr, std::size_t bytes) noexcept override {
    const std::size_t size = block_size(bytes);
    if (size < cache_min_bytes) {
      std::free(ptr);
      return;
    }
    std::lock_guard lock(cache_mutex_);
    cache_[size].push_back(ptr);
    cached_bytes_ += static_cast<int64_t>(size);
    while (cached_bytes_ > cpu_cache_limit && !cache_.empty()) {
      // Beyond the limit the largest sizes go first: they are the rarest to be asked again.
      auto last = std::prev(cache_.end());
      for (void* p : last->second) std::free(p);
      cached_bytes_ -= static_cast<int64_t>(last->first * last->second.size());
      cache_.erase(last);
    }
  }

  int64_t reserved_bytes_locked() const override { return stats_.live_bytes + cached_bytes(); }

 private:
  static std::size_t block_size(std::size_t bytes) {
    const std::size_t unit = bytes >= cache_min_bytes ? page : alignment;
    return (bytes + unit - 1) / unit * unit;
  }

  int64_t cached_bytes() const {
    std::lock_guard lock(cache_mutex_);
    return cached_bytes_;
  }

  void release_cache() noexcept {
    std::lock_guard lock(cache_mutex_);
    for (auto& [size, blocks] : cache_)
      for (void* p : blocks) std::free(p);
    cache_.clear();
    cached_bytes_ = 0;
  }

  mutable std::mutex cache_mutex_;
  std::map<std::size_t, std::vector<void*>> cache_;
  int64_t cached_bytes_ = 0;
};

}  // namespace

Allocator& cpu_allocator() {
  static CpuAllocator instance;
  return instance;
}

}  // namespace revgan
