// The reversible executors on CUDA: memory-saving equals stored (outputs, input and parameter
// gradients) and keeps less activation memory at its peak, read from the CUDA allocator.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "engine/memory/allocator.hpp"
#include "tests/reversible/reversible_fixture.hpp"
#include "tests/support/cuda_skip.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using reversible::Direction;
using reversible::Mode;

namespace {

const Device k_cuda = Device::cuda(0);

std::vector<Tensor> run(reversible::ReversibleSequence& core, const Tensor& x_value, const Tensor& upstream, Mode mode,
                        Direction direction) {
  core.set_mode(mode);
  core.zero_grad();
  Tensor x = x_value.clone();
  x.set_requires_grad(true);
  Tensor y = core.run(x, direction);
  y.backward(upstream);
  std::vector<Tensor> out{y.detach(), x.grad()};
  for (auto& [name, p] : core.named_parameters()) out.push_back(p.grad());
  return out;
}

// max |a - b| over max(max |b|, floor): the floor keeps analytically-zero gradients (a conv
// bias before instance norm) from comparing two rounding noises (see the CPU executor test).
double rel_diff(const Tensor& a, const Tensor& b, double floor) {
  const auto va = a.to_vector(), vb = b.to_vector();
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < va.size(); ++i) {
    diff = std::max(diff, std::abs(va[i] - vb[i]));
    scale = std::max(scale, std::abs(vb[i]));
  }
  return diff / std::max(scale, floor);
}

// Peak activation bytes on the CUDA allocator over one forward + backward.
int64_t peak_activation_bytes(reversible::ReversibleSequence& core, const Tensor& x, const Tensor& up, Mode mode) {
  run(core, x, up, mode, Direction::forward);  // creates the .grad buffers outside the measurement
  Allocator& a = allocator_for(k_cuda);
  a.reset_peak();
  const int64_t before = a.stats().live(MemoryCategory::activations);
  run(core, x, up, mode, Direction::forward);
  return a.stats().peak(MemoryCategory::activations) - before;
}

}  // namespace

TEST_CASE("cuda executor: memory-saving equals stored in float64, both directions", "[cuda][exec]") {
  test::skip_without_cuda_device();
  auto direction = GENERATE(Direction::forward, Direction::inverse);
  auto core = test::make_core(16, 3, DType::float64, 11);
  core->to(k_cuda);
  Tensor x = test::random_normal({2, 16, 9, 7}, 5).to(k_cuda);
  Tensor upstream = test::random_normal({2, 16, 9, 7}, 6).to(k_cuda);
  const auto stored = run(*core, x, upstream, Mode::stored, direction);
  const auto saving = run(*core, x, upstream, Mode::memory_saving, direction);
  REQUIRE(stored.size() == saving.size());
  double largest_grad = 0;
  for (std::size_t i = 1; i < stored.size(); ++i)
    for (double v : stored[i].to_vector()) largest_grad = std::max(largest_grad, std::abs(v));
  for (std::size_t i = 0; i < stored.size(); ++i) {
    INFO("tensor " << i);
    REQUIRE(stored[i].defined());
    REQUIRE(saving[i].defined());
    CHECK(saving[i].device().is_cuda());
    CHECK(rel_diff(saving[i], stored[i], 1e-3 * largest_grad) <= 1e-10);
  }
}

TEST_CASE("cuda executor: memory-saving keeps less activation memory than stored", "[cuda][exec][memory]") {
  test::skip_without_cuda_device();
  auto core = test::make_core(16, 8, DType::float32, 3);
  core->to(k_cuda);
  Tensor x = test::random_normal({1, 16, 32, 32}, 7, DType::float32).to(k_cuda);
  Tensor up = test::random_normal({1, 16, 32, 32}, 8, DType::float32).to(k_cuda);
  const int64_t stored = peak_activation_bytes(*core, x, up, Mode::stored);
  const int64_t saving = peak_activation_bytes(*core, x, up, Mode::memory_saving);
  const int64_t one_tensor = 16 * 32 * 32 * 4;
  INFO("peak activation bytes: stored " << stored << ", memory-saving " << saving << ", one [1,16,32,32] tensor "
                                        << one_tensor);
  // Eight blocks, each storing several activations: stored needs many tensors more.
  CHECK(stored - saving > 8 * one_tensor);
}
