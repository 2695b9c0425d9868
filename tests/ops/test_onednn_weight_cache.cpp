// oneDNN's cache of re-laid-out conv weights (engine/ops/onednn_weight_cache.hpp): cached passes
// give the bits uncached ones give; a parameter is laid out again exactly when its storage was
// written (a mutable access, an Adam step), not when it was only read; only parameters are kept,
// and not by no-grad forwards; the copies are charged to weight_copies and go with their parameter.
#include <catch2/catch.hpp>

#include <utility>

#include "engine/autograd/backward.hpp"
#include "engine/autograd/grad_mode.hpp"
#include "engine/memory/allocator.hpp"
#include "engine/nn/module.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/conv.hpp"
#include "engine/ops/cpu_conv_backend.hpp"
#include "engine/ops/onednn_weight_cache.hpp"
#include "engine/ops/reduce.hpp"
#include "engine/optim/adam.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;

#ifdef REVGAN_WITH_ONEDNN

namespace {

// Sets the cache on or off for its lifetime (off drops every copy), and the oneDNN backend.
class CacheScope {
 public:
  explicit CacheScope(bool on) : saved_(ops::onednn_weight_cache_enabled()), backend_(ops::CpuConvBackend::onednn) {
    ops::set_onednn_weight_cache(on);
  }
  ~CacheScope() { ops::set_onednn_weight_cache(saved_); }

 private:
  bool saved_;
  ops::CpuConvBackendScope backend_;
};

// A conv and a transposed conv with oneDNN's passes (at least 8 channels; the transposed conv's
// input gradient is its adjoint's forward).
class TwoConvs : public nn::Module {
 public:
  TwoConvs() {
    w = register_parameter("w", test::random_normal({16, 8, 3, 3}, 1, DType::float32, 0.2));
    b = register_parameter("b", test::random_normal({16}, 2, DType::float32, 0.1));
    wt = register_parameter("wt", test::random_normal({16, 8, 3, 3}, 3, DType::float32, 0.2));
  }
  Tensor forward(const Tensor& x) override {
    const Tensor h = ops::conv(x, w, b, {{1}, {1}});
    return ops::conv_transpose(h, wt, Tensor(), {{2}, {1}, {1}});
  }
  Tensor w, b, wt;
};

struct Outputs {
  std::vector<double> y, dx, dw, dwt;
};

Outputs run(TwoConvs& m, const Tensor& x_value) {
  for (Tensor& p : m.parameters()) p.zero_grad();
  Tensor x = x_value.clone().set_requires_grad(true);
  const Tensor y = m(x);
  ops::sum(ops::mul(y, y)).backward();
  return {y.to_vector(), x.grad().to_vector(), m.w.grad().to_vector(), m.wt.grad().to_vector()};
}

void require_same_bits(const Outputs& a, const Outputs& b) {
  REQUIRE(a.y == b.y);
  REQUIRE(a.dx == b.dx);
  REQUIRE(a.dw == b.dw);
  REQUIRE(a.dwt == b.dwt);
}

int64_t live_copies() { return cpu_allocator().stats().live(MemoryCategory::weight_copies); }

}  // namespace

TEST_CASE("oneDNN's weight cache gives uncached bits and lays a parameter out again only after a write", "[op]") {
  TwoConvs m;
  const Tensor x = test::random_normal({1, 8, 10, 10}, 4, DType::float32);
  Outputs uncached;
  {
    const CacheScope off(false);
    uncached = run(m, x);
  }
  const CacheScope on(true);
  const ops::WeightCacheStats s0 = ops::onednn_weight_cache_stats();
  // First run: the conv's forward and input-gradient layouts of w, the adjoint forward of wt.
  require_same_bits(run(m, x), uncached);
  const ops::WeightCacheStats s1 = ops::onednn_weight_cache_stats();
  CHECK(s1.reorders - s0.reorders == 3);
  CHECK(s1.hits == s0.hits);
  CHECK(s1.entries - s0.entries == 3);
  CHECK(s1.bytes > 0);
  CHECK(live_copies() == s1.bytes);

  // Second run: all three served from the copies; reads through const tensors change nothing.
  (void)std::as_const(m.w).data<float>();
  require_same_bits(run(m, x), uncached);
  const ops::WeightCacheStats s2 = ops::onednn_weight_cache_stats();
  CHECK(s2.reorders == s1.reorders);
  CHECK(s2.hits - s1.hits == 3);

  // A write through a mutable access: w's two layouts are redone, wt's is not, and the result
  // is the uncached result for the new weights.
  m.w.data<float>()[5] += 0.5f;
  const Outputs cached_after_write = run(m, x);
  const ops::WeightCacheStats s3 = ops::onednn_weight_cache_stats();
  CHECK(s3.reorders - s2.reorders == 2);
  CHECK(s3.hits - s2.hits == 1);
  Outputs uncached_after_write;
  {
    const CacheScope off(false);
    uncached_after_write = run(m, x);
  }
  require_same_bits(cached_after_write, uncached_after_write);
  REQUIRE(cached_after_write.y != uncached.y);
}

TEST_CASE("oneDNN's weight cache follows Adam's updates: training gives the bits of an uncached run", "[op]") {
  const Tensor x = test::random_normal({1, 8, 10, 10}, 5, DType::float32);
  auto train = [&](bool cache) {
    const CacheScope scope(cache);
    TwoConvs m;
    optim::Adam adam(m.named_parameters(), {0.01});
    for (int step = 0; step < 3; ++step) {
      adam.zero_grad();
      (void)run(m, x);
      adam.step();
    }
    return std::vector<std::vector<double>>{m.w.to_vector(), m.b.to_vector(), m.wt.to_vector()};
  };
  const auto uncached = train(false);
  const auto cached = train(true);
  REQUIRE(cached == uncached);
}

TEST_CASE("oneDNN's weight cache keeps parameters only, not in no-grad forwards, charges weight_copies, drops a freed one's copies", "[op]") {
  const CacheScope on(true);
  const int64_t entries_before = ops::onednn_weight_cache_stats().entries;
  const int64_t live_before = live_copies();
  {
    // A weight that is not a parameter (charged to activations) is never copied.
    const Tensor x = test::random_normal({1, 8, 10, 10}, 6, DType::float32);
    const Tensor w = test::random_normal({16, 8, 3, 3}, 7, DType::float32).set_requires_grad(true);
    (void)ops::conv(x, w, Tensor(), {{1}, {1}});
    CHECK(ops::onednn_weight_cache_stats().entries == entries_before);
  }
  {
    TwoConvs m;
    {
      // A no-grad forward (inference) reorders per call and keeps nothing.
      const NoGradScope no_grad;
      (void)m(test::random_normal({1, 8, 10, 10}, 8, DType::float32));
      CHECK(ops::onednn_weight_cache_stats().entries == entries_before);
    }
    (void)run(m, test::random_normal({1, 8, 10, 10}, 8, DType::float32));
    CHECK(ops::onednn_weight_cache_stats().entries == entries_before + 3);
    CHECK(live_copies() > live_before);
  }
  CHECK(ops::onednn_weight_cache_stats().entries == entries_before);
  CHECK(live_copies() == live_before);
  CHECK(ops::onednn_weight_cache_stats().bytes == live_before);
}

#endif  // REVGAN_WITH_ONEDNN
