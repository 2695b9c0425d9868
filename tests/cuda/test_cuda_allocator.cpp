// The CUDA caching allocator: reuse of freed blocks, splitting of large blocks and merging on
// free, the flush-and-retry path when cudaMalloc fails (through the test hook) and the
// out-of-memory message. Each case starts from an emptied cache and reasons in differences.
// With REVGAN_CUDA_NO_CACHING=1 (sanitizer runs) there is no cache to test: the cases return.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/cuda/cuda_allocator.hpp"
#include "engine/tensor/tensor.hpp"
#include "tests/support/cuda_skip.hpp"

using namespace revgan;

namespace {

constexpr int64_t k_mib = int64_t{1} << 20;

Allocator& device_allocator() {
  return allocator_for(Device::cuda(0));
}

Tensor bytes_on_device(int64_t bytes) {
  return Tensor::empty({bytes / 4}, DType::float32, Device::cuda(0));
}

char* address(const Tensor& t) {
  return static_cast<char*>(const_cast<Tensor&>(t).raw_data());
}

}  // namespace

// Ends a test case early when caching is off (REVGAN_CUDA_NO_CACHING=1).
#define REVGAN_REQUIRE_CACHING()                                           \
  do {                                                                     \
    if (!cuda_caching_enabled(0)) {                                        \
      WARN("REVGAN_CUDA_NO_CACHING is set: the caching allocator is off"); \
      return;                                                              \
    }                                                                      \
  } while (0)

TEST_CASE("cuda allocator: a freed block is reused without growing the reservation", "[cuda][memory]") {
  test::skip_without_cuda_device();
  REVGAN_REQUIRE_CACHING();
  device_allocator().empty_cache();
  const CudaCacheStats start = cuda_cache_stats(0);
  char* first = nullptr;
  {
    Tensor t = bytes_on_device(3 * k_mib);
    first = address(t);
  }
  const CudaCacheStats after_first = cuda_cache_stats(0);
  CHECK(after_first.cuda_mallocs == start.cuda_mallocs + 1);
  CHECK(after_first.cached_bytes > 0);
  Tensor again = bytes_on_device(3 * k_mib);
  const CudaCacheStats after_second = cuda_cache_stats(0);
  CHECK(address(again) == first);
  CHECK(after_second.reserved_bytes == after_first.reserved_bytes);
  CHECK(after_second.cuda_mallocs == after_first.cuda_mallocs);
  CHECK(after_second.cache_hits == after_first.cache_hits + 1);
  // The allocator's shared statistics report the same reservation.
  CHECK(device_allocator().stats().reserved_bytes == after_second.reserved_bytes);
}

TEST_CASE("cuda allocator: small requests share segments", "[cuda][memory]") {
  test::skip_without_cuda_device();
  REVGAN_REQUIRE_CACHING();
  device_allocator().empty_cache();
  const CudaCacheStats start = cuda_cache_stats(0);
  std::vector<Tensor> small;
  for (int i = 0; i < 1000; ++i) small.push_back(bytes_on_device(4096));  // 4 MB in all
  const CudaCacheStats after = cuda_cache_stats(0);
  INFO("cudaMalloc calls for 1000 small tensors: " << after.cuda_mallocs - start.cuda_mallocs);
  CHECK(after.cuda_mallocs - start.cuda_mallocs <= 3);  // 2 MiB segments
}

TEST_CASE("cuda allocator: large blocks are split and merged back", "[cuda][memory]") {
  test::skip_without_cuda_device();
  REVGAN_REQUIRE_CACHING();
  Allocator& a = device_allocator();
  a.empty_cache();
  const CudaCacheStats start = cuda_cache_stats(0);
  {
    Tensor first = bytes_on_device(8 * k_mib);  // a 20 MiB segment, split
    const CudaCacheStats one = cuda_cache_stats(0);
    CHECK(one.reserved_bytes == start.reserved_bytes + 20 * k_mib);
    CHECK(one.splits == start.splits + 1);
    Tensor second = bytes_on_device(8 * k_mib);  // from the 12 MiB remainder, split again
    const CudaCacheStats two = cuda_cache_stats(0);
    CHECK(two.reserved_bytes == one.reserved_bytes);
    CHECK(two.cuda_mallocs == one.cuda_mallocs);
    CHECK(two.splits == one.splits + 1);
    CHECK(address(second) == address(first) + 8 * k_mib);
  }
  // Both freed: the pieces merge into one free segment, which empty_cache returns.
  const CudaCacheStats freed = cuda_cache_stats(0);
  CHECK(freed.segments == start.segments + 1);
  a.empty_cache();
  const CudaCacheStats emptied = cuda_cache_stats(0);
  CHECK(emptied.segments == start.segments);
  CHECK(emptied.reserved_bytes == start.reserved_bytes);
  CHECK(a.stats().reserved_bytes == emptied.reserved_bytes);
}

TEST_CASE("cuda allocator: a failed cudaMalloc flushes the cache and retries once", "[cuda][memory]") {
  test::skip_without_cuda_device();
  REVGAN_REQUIRE_CACHING();
  Allocator& a = device_allocator();
  a.empty_cache();
  { Tensor cached = bytes_on_device(8 * k_mib); }  // leaves a free 20 MiB segment cached
  const CudaCacheStats before = cuda_cache_stats(0);
  REQUIRE(before.cached_bytes >= 20 * k_mib);
  testing::fail_next_cuda_mallocs(0, 1);
  Tensor big = bytes_on_device(64 * k_mib);  // fits no cached block: cudaMalloc, which "fails"
  const CudaCacheStats after = cuda_cache_stats(0);
  CHECK(after.cache_flushes == before.cache_flushes + 1);
  CHECK(after.cuda_frees >= before.cuda_frees + 1);
  CHECK(after.reserved_bytes == before.reserved_bytes - 20 * k_mib + 64 * k_mib);
  CHECK(big.numel() == 16 * k_mib);
}

TEST_CASE("cuda allocator: out of memory names the request, live and reserved bytes and the remedies",
          "[cuda][memory]") {
  test::skip_without_cuda_device();
  REVGAN_REQUIRE_CACHING();
  Allocator& a = device_allocator();
  Tensor held = bytes_on_device(k_mib);
  const int64_t live_before = a.stats().live_bytes;
  testing::fail_next_cuda_mallocs(0, 2);  // the first attempt and the retry after the flush
  std::string message;
  try {
    Tensor t = bytes_on_device(256 * k_mib);
  } catch (const Error& e) {
    message = e.what();
  }
  INFO(message);
  CHECK(message.find("out of memory") != std::string::npos);
  CHECK(message.find(std::to_string(256 * k_mib) + " bytes") != std::string::npos);
  CHECK(message.find("live") != std::string::npos);
  CHECK(message.find("reserved") != std::string::npos);
  CHECK(message.find("memory-saving") != std::string::npos);
  CHECK(message.find("smaller crop") != std::string::npos);
  CHECK(a.stats().live_bytes == live_before);
  // The hook is used up: the next allocation succeeds.
  Tensor after = bytes_on_device(256 * k_mib);
  CHECK(after.numel() == 64 * k_mib);
}
