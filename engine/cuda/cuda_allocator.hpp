// The CUDA device allocator (CUDA builds only): a caching allocator with the same statistics
// as the CPU one, plus its own counters and a test hook for the out-of-memory path.
#pragma once

#include <cstdint>

#include "engine/memory/allocator.hpp"

namespace revgan {

Allocator& cuda_allocator(int device_index);

// What the caching allocator did since it was created (for tests and the bench).
struct CudaCacheStats {
  int64_t reserved_bytes = 0;  // held from cudaMalloc: live blocks, cached blocks, split remainders
  int64_t cached_bytes = 0;    // reserved but free, ready for reuse
  int64_t segments = 0;        // cudaMalloc'd regions currently held
  int64_t cuda_mallocs = 0;    // successful cudaMalloc calls
  int64_t cuda_frees = 0;      // cudaFree calls (cache flushes and empty_cache)
  int64_t cache_hits = 0;      // requests served from a cached block
  int64_t splits = 0;          // blocks split to serve a smaller request
  int64_t cache_flushes = 0;   // flush-and-retry after a failed cudaMalloc
};
CudaCacheStats cuda_cache_stats(int device_index);
// False when REVGAN_CUDA_NO_CACHING=1 (set for compute-sanitizer runs): every tensor then gets
// its own cudaMalloc, so memcheck sees its exact bounds.
bool cuda_caching_enabled(int device_index);

namespace testing {
// The next `count` cudaMalloc calls of the device's allocator report out-of-memory without
// calling the driver, so tests can reach the flush-and-retry and error paths on any GPU.
void fail_next_cuda_mallocs(int device_index, int count);
}  // namespace testing

}  // namespace revgan
