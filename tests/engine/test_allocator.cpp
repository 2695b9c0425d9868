// Allocator accounting: peaks follow a known allocation sequence, categories are attributed
// by scope, and releasing a graph returns activation bytes to where they started.
#include <catch2/catch.hpp>

#include "engine/memory/allocator.hpp"
#include "engine/ops/arithmetic.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;

TEST_CASE("cpu allocator peak equals the known allocation sequence", "[engine]") {
  Allocator& a = cpu_allocator();
  const int64_t base = a.stats().live_bytes;
  a.reset_peak();
  {
    Tensor t1 = Tensor::empty({1000}, DType::float32);  // 4000 bytes
    {
      Tensor t2 = Tensor::empty({10, 10}, DType::float64);  // 800 bytes
      REQUIRE(a.stats().live_bytes == base + 4800);
    }
    Tensor t3 = Tensor::empty({100}, DType::float32);  // 400 bytes
    REQUIRE(a.stats().live_bytes == base + 4400);
    REQUIRE(a.stats().peak_live_bytes == base + 4800);
  }
  REQUIRE(a.stats().live_bytes == base);
  REQUIRE(a.stats().peak_live_bytes == base + 4800);
  a.reset_peak();
  REQUIRE(a.stats().peak_live_bytes == base);
}

TEST_CASE("memory categories are attributed by scope", "[engine]") {
  Allocator& a = cpu_allocator();
  const auto before = a.stats();
  Tensor p, g;
  {
    MemoryCategoryScope scope(MemoryCategory::parameters);
    p = Tensor::empty({256}, DType::float32);
    {
      MemoryCategoryScope inner(MemoryCategory::gradients);
      g = Tensor::empty({128}, DType::float32);
    }
  }
  Tensor act = Tensor::empty({64}, DType::float32);
  const auto after = a.stats();
  REQUIRE(after.live(MemoryCategory::parameters) - before.live(MemoryCategory::parameters) == 1024);
  REQUIRE(after.live(MemoryCategory::gradients) - before.live(MemoryCategory::gradients) == 512);
  REQUIRE(after.live(MemoryCategory::activations) - before.live(MemoryCategory::activations) == 256);
  p = g = act = Tensor();
  REQUIRE(a.stats().live_bytes == before.live_bytes);
}

TEST_CASE("backward releases the graph's activation bytes", "[engine]") {
  Allocator& a = cpu_allocator();
  Tensor w;
  {
    MemoryCategoryScope scope(MemoryCategory::parameters);
    w = test::random_normal({32, 32}, 1, DType::float32);
    w.set_requires_grad(true);
  }
  const int64_t activations_before = a.stats().live(MemoryCategory::activations);
  {
    Tensor x = test::random_normal({32, 32}, 2, DType::float32);
    Tensor h = ops::mul(ops::mul(x, w), w);
    Tensor y = ops::add(h, h);
    REQUIRE(a.stats().live(MemoryCategory::activations) > activations_before);
    y.backward(ops::ones_like(y));
  }
  REQUIRE(a.stats().live(MemoryCategory::activations) == activations_before);
  REQUIRE(w.grad().defined());
  REQUIRE(w.grad().storage()->category() == MemoryCategory::gradients);
}

TEST_CASE("cpu allocator hands a freed large block back for the next request of its size", "[engine]") {
  Allocator& a = cpu_allocator();
  a.empty_cache();
  const std::size_t large = std::size_t{3} << 20;  // above the 256 KiB caching threshold
  const MemoryStats start = a.stats();
  CHECK(start.reserved_bytes == start.live_bytes);  // an empty cache reserves nothing extra
  void* p = a.allocate(large, MemoryCategory::activations);
  a.deallocate(p, large, MemoryCategory::activations);
  MemoryStats s = a.stats();
  CHECK(s.live_bytes == start.live_bytes);
  CHECK(s.reserved_bytes == start.live_bytes + static_cast<int64_t>(large));  // 3 MiB is whole pages
  void* q = a.allocate(large, MemoryCategory::activations);
  CHECK(q == p);
  CHECK(a.stats().reserved_bytes == a.stats().live_bytes);
  a.deallocate(q, large, MemoryCategory::activations);
  // Small blocks are not cached; empty_cache returns the large one.
  void* small = a.allocate(1000, MemoryCategory::activations);
  a.deallocate(small, 1000, MemoryCategory::activations);
  CHECK(a.stats().reserved_bytes == start.live_bytes + static_cast<int64_t>(large));
  a.empty_cache();
  CHECK(a.stats().reserved_bytes == a.stats().live_bytes);
}
