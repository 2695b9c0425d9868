// The CUDA caching allocator. Requests are rounded to 512 bytes and served from cached blocks
// when one fits: small requests (<= 1 MiB) share 2 MiB segments, large ones come from their own
// segments, and a block bigger than needed is split, the rest staying cached. Freed blocks
// merge with free neighbours and stay reserved for reuse; when cudaMalloc fails the cache is
// flushed (every fully free segment returned with cudaFree) and the call retried once.
//
// REVGAN_CUDA_NO_CACHING=1 turns caching off (one cudaMalloc / cudaFree per tensor) so that
// compute-sanitizer's memcheck sees every buffer's real bounds: inside a cached segment an
// overrun into a neighbouring block would go unnoticed.
//
// No CUDA events guard reuse: every kernel, library call and copy for a device runs on its one
// compute stream (engine/cuda/stream.hpp) in issue order. A block freed by the host may still
// be read by queued work, but whatever later reuses it is queued behind that work on the same
// stream, so it cannot overtake it. Only cudaFree needs a device synchronisation first.
#include "engine/cuda/cuda_allocator.hpp"

#include <array>
#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "engine/cuda/cuda_check.hpp"
#include "engine/cuda/cuda_runtime_api.hpp"
#include "engine/cuda/stream.hpp"

namespace revgan {

namespace {

constexpr std::size_t k_round = 512;               // every block is a multiple of this
constexpr std::size_t k_small_request = 1 << 20;   // small pool: requests up to 1 MiB
constexpr std::size_t k_small_segment = 2 << 20;   // ... carved out of 2 MiB segments
constexpr std::size_t k_large_segment = 20 << 20;  // large requests under 10 MiB share 20 MiB
constexpr std::size_t k_large_alone = 10 << 20;    // from 10 MiB a request gets its own segment
constexpr std::size_t k_large_round = 2 << 20;     // ... rounded to 2 MiB

std::size_t round_up(std::size_t n, std::size_t to) {
  return (n + to - 1) / to * to;
}

// A contiguous piece of one segment; neighbours in the same segment are linked so that freed
// blocks can merge. A block with neither neighbour is a whole segment.
struct Block {
  char* ptr = nullptr;
  std::size_t size = 0;
  bool small = false;
  bool allocated = false;
  Block* prev = nullptr;
  Block* next = nullptr;
};

// Free blocks ordered by size, then address: lower_bound finds the best fit.
struct BySizeThenAddress {
  bool operator()(const Block* a, const Block* b) const {
    if (a->size != b->size) return a->size < b->size;
    return std::less<const char*>()(a->ptr, b->ptr);
  }
};

class CachingCudaAllocator final : public Allocator {
 public:
  explicit CachingCudaAllocator(int index) : index_(index), caching_(caching_requested()) {}
  bool caching() const { return caching_; }
  Device device() const override { return Device::cuda(index_); }

  void empty_cache() override {
    {
      std::lock_guard lock(pool_mutex_);
      release_free_segments_locked();
    }
    std::lock_guard lock(mutex_);
    stats_.reserved_bytes = reserved_bytes_locked();
  }

  CudaCacheStats cache_stats() const {
    std::lock_guard lock(pool_mutex_);
    CudaCacheStats s = counters_;
    s.reserved_bytes = reserved_.load();
    s.cached_bytes = 0;
    for (const auto* pool : {&small_free_, &large_free_})
      for (const Block* b : *pool) s.cached_bytes += static_cast<int64_t>(b->size);
    return s;
  }

  void fail_next_mallocs(int count) { fail_next_.store(count); }

 protected:
  void* raw_allocate(std::size_t bytes) override {
    REVGAN_CHECK(index_ < cuda_device_count(), "cuda:{}: device not available ({})", index_,
                 cuda_device_count() == 0 ? cuda_unavailable_reason() : "index out of range");
    const std::size_t size = round_up(bytes, k_round);
    const bool small = size <= k_small_request;
    std::size_t segment = 0;
    if (!caching_) {
      std::lock_guard lock(pool_mutex_);
      segment = bytes;
      if (char* ptr = malloc_with_retry_locked(bytes); ptr != nullptr) {
        Block* block = new_segment_locked(ptr, bytes, small);
        block->allocated = true;
        return block->ptr;
      }
    } else {
      std::lock_guard lock(pool_mutex_);
      auto& pool = small ? small_free_ : large_free_;
      Block key;
      key.size = size;
      auto it = pool.lower_bound(&key);
      Block* block = nullptr;
      if (it != pool.end()) {
        block = *it;
        pool.erase(it);
        ++counters_.cache_hits;
      } else {
        segment = segment_size(size);
        char* ptr = malloc_with_retry_locked(segment);
        if (ptr != nullptr) block = new_segment_locked(ptr, segment, small);
      }
      if (block != nullptr) {
        split_locked(block, size);
        block->allocated = true;
        return block->ptr;
      }
    }
    // Out of memory even after the flush: report outside the pool lock (stats() takes the base lock).
    size_t free_bytes = 0, total_bytes = 0;
    const bool have_info = cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess;
    cudaGetLastError();
    REVGAN_FAIL(
        "cuda:{}: out of memory: asked for {} bytes (a {}-byte segment) with {} bytes live and {} bytes reserved "
        "after flushing the cache{}; use the memory-saving mode (reversible executor) or a smaller crop",
        index_, bytes, segment, stats().live_bytes, reserved_.load(),
        have_info ? fmt::format(" (device: {} of {} bytes free)", free_bytes, total_bytes) : std::string());
  }

  void raw_deallocate(void* ptr, std::size_t) noexcept override {
    std::lock_guard lock(pool_mutex_);
    auto it = blocks_.find(static_cast<char*>(ptr));
    if (it == blocks_.end() || !it->second->allocated) return;  // not ours: nothing sane to do in noexcept
    Block* block = it->second.get();
    block->allocated = false;
    if (!caching_) {
      // cudaFree waits for the device, so queued kernels still using the buffer finish first.
      // Plain runtime calls: nothing here may throw.
      int previous = index_;
      const bool switched = cudaGetDevice(&previous) == cudaSuccess && previous != index_ &&
                            cudaSetDevice(index_) == cudaSuccess;
      cudaFree(block->ptr);
      if (switched) cudaSetDevice(previous);
      reserved_.fetch_sub(static_cast<int64_t>(block->size));
      --counters_.segments;
      ++counters_.cuda_frees;
      blocks_.erase(it);
      return;
    }
    auto& pool = block->small ? small_free_ : large_free_;
    if (block->next != nullptr && !block->next->allocated) block = merge_locked(block, block->next, pool);
    if (block->prev != nullptr && !block->prev->allocated) block = merge_locked(block->prev, block, pool);
    pool.insert(block);
  }

  int64_t reserved_bytes_locked() const override { return reserved_.load(); }

 private:
  static bool caching_requested() {
    const char* v = std::getenv("REVGAN_CUDA_NO_CACHING");
    return v == nullptr || v[0] == '\0' || std::string(v) == "0";
  }

  static std::size_t segment_size(std::size_t size) {
    if (size <= k_small_request) return k_small_segment;
    if (size < k_large_alone) return k_large_segment;
    return round_up(size, k_large_round);
  }

  // cudaMalloc, or the test hook's simulated failure.
  cudaError_t device_malloc(void** ptr, std::size_t bytes) {
    if (fail_next_.load() > 0) {
      fail_next_.fetch_sub(1);
      return cudaErrorMemoryAllocation;
    }
    cuda::DeviceGuard guard(index_);
    return cudaMalloc(ptr, bytes);
  }

  // nullptr when cudaMalloc fails twice, the second time after the cache was flushed.
  char* malloc_with_retry_locked(std::size_t bytes) {
    void* ptr = nullptr;
    if (device_malloc(&ptr, bytes) == cudaSuccess) return static_cast<char*>(ptr);
    cudaGetLastError();  // an allocation failure is not sticky, but leave no error behind
    ++counters_.cache_flushes;
    release_free_segments_locked();
    if (device_malloc(&ptr, bytes) == cudaSuccess) return static_cast<char*>(ptr);
    cudaGetLastError();
    return nullptr;
  }

  Block* new_segment_locked(char* ptr, std::size_t bytes, bool small) {
    auto block = std::make_unique<Block>();
    block->ptr = ptr;
    block->size = bytes;
    block->small = small;
    Block* raw = block.get();
    blocks_.emplace(ptr, std::move(block));
    reserved_.fetch_add(static_cast<int64_t>(bytes));
    ++counters_.segments;
    ++counters_.cuda_mallocs;
    return raw;
  }

  // Small blocks split whenever a whole 512-byte unit is left; large blocks only when the rest
  // is itself a large block, so the large pool never fills up with slivers.
  void split_locked(Block* block, std::size_t size) {
    const std::size_t rest = block->size - size;
    const bool worth_it = block->small ? rest >= k_round : rest > k_small_request;
    if (!worth_it) return;
    auto remainder = std::make_unique<Block>();
    remainder->ptr = block->ptr + size;
    remainder->size = rest;
    remainder->small = block->small;
    remainder->prev = block;
    remainder->next = block->next;
    if (block->next != nullptr) block->next->prev = remainder.get();
    block->next = remainder.get();
    block->size = size;
    (block->small ? small_free_ : large_free_).insert(remainder.get());
    blocks_.emplace(remainder->ptr, std::move(remainder));
    ++counters_.splits;
  }

  // Absorbs the free block `right` (already out of the pool if it was in it) into `left`.
  Block* merge_locked(Block* left, Block* right, std::set<Block*, BySizeThenAddress>& pool) {
    if (!left->allocated) pool.erase(left);
    if (!right->allocated) pool.erase(right);
    left->size += right->size;
    left->next = right->next;
    if (right->next != nullptr) right->next->prev = left;
    blocks_.erase(right->ptr);
    return left;
  }

  // cudaFree of every segment that is entirely free. The device is synchronised first so that
  // no queued kernel still reads a block that is about to go back to the driver.
  void release_free_segments_locked() {
    bool synced = false;
    for (auto* pool : {&small_free_, &large_free_}) {
      for (auto it = pool->begin(); it != pool->end();) {
        Block* b = *it;
        if (b->prev != nullptr || b->next != nullptr) {
          ++it;
          continue;
        }
        cuda::DeviceGuard guard(index_);
        if (!synced) {
          REVGAN_CUDA_CHECK(cudaDeviceSynchronize());
          synced = true;
        }
        REVGAN_CUDA_CHECK(cudaFree(b->ptr));
        reserved_.fetch_sub(static_cast<int64_t>(b->size));
        --counters_.segments;
        ++counters_.cuda_frees;
        it = pool->erase(it);
        blocks_.erase(b->ptr);
      }
    }
  }

  int index_;
  const bool caching_;
  mutable std::mutex pool_mutex_;                   // guards everything below except the atomics
  std::map<char*, std::unique_ptr<Block>> blocks_;  // every block, allocated or free, by address
  std::set<Block*, BySizeThenAddress> small_free_, large_free_;
  CudaCacheStats counters_;
  std::atomic<int64_t> reserved_{0};  // read under the base class's lock, so kept lock-free here
  std::atomic<int> fail_next_{0};
};

constexpr int k_max_devices = 64;

CachingCudaAllocator& caching_allocator(int device_index) {
  REVGAN_CHECK(device_index >= 0 && device_index < k_max_devices, "cuda:{}: device index out of range", device_index);
  // Intentionally immortal: tensors owned by static objects may be freed at exit in any order,
  // and the driver reclaims the cached segments when the process ends.
  static std::mutex* mutex = new std::mutex();
  static auto* allocators = new std::array<std::unique_ptr<CachingCudaAllocator>, k_max_devices>();
  std::lock_guard lock(*mutex);
  auto& slot = (*allocators)[static_cast<std::size_t>(device_index)];
  if (!slot) slot = std::make_unique<CachingCudaAllocator>(device_index);
  return *slot;
}

}  // namespace

Allocator& cuda_allocator(int device_index) {
  return caching_allocator(device_index);
}

CudaCacheStats cuda_cache_stats(int device_index) {
  return caching_allocator(device_index).cache_stats();
}

bool cuda_caching_enabled(int device_index) {
  return caching_allocator(device_index).caching();
}

namespace testing {
void fail_next_cuda_mallocs(int device_index, int count) {
  caching_allocator(device_index).fail_next_mallocs(count);
}
}  // namespace testing

}  // namespace revgan
