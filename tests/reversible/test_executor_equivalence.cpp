// Memory-saving and stored executors agree: same outputs, input gradients and every
// parameter gradient, in both directions, batch > 1, odd spatial sizes.
#include <catch2/catch.hpp>

#include "engine/autograd/backward.hpp"
#include "engine/ops/arithmetic.hpp"
#include "tests/reversible/reversible_fixture.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;
using reversible::Direction;
using reversible::Mode;

namespace {

struct RunResult {
  std::vector<std::pair<std::string, Tensor>> tensors;  // output, input grad, parameter grads
};

RunResult run(reversible::ReversibleSequence& core, const Tensor& x_value, const Tensor& upstream, Mode mode,
              Direction direction) {
  core.set_mode(mode);
  core.zero_grad();
  Tensor x = x_value.clone();
  x.set_requires_grad(true);
  Tensor y = core.run(x, direction);
  y.backward(upstream);
  RunResult r;
  r.tensors.emplace_back("output", y.detach());
  r.tensors.emplace_back("input.grad", x.grad());
  for (auto& [name, p] : core.named_parameters()) r.tensors.emplace_back(name + ".grad", p.grad());
  return r;
}

double max_abs(const Tensor& t) {
  double m = 0;
  for (double v : t.to_vector()) m = std::max(m, std::abs(v));
  return m;
}

// max |a - b| / max(max |b|, floor). The floor matters only for gradients that are
// analytically zero: the bias of a conv followed by instance norm has gradient exactly 0 in
// exact arithmetic, so both executors return pure rounding noise there and a relative
// difference of two noises means nothing. Such tensors are measured against `floor`, one
// thousandth of the largest gradient of the run.
double rel_diff(const Tensor& a, const Tensor& b, double floor) {
  auto va = a.to_vector(), vb = b.to_vector();
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < va.size(); ++i) {
    diff = std::max(diff, std::abs(va[i] - vb[i]));
    scale = std::max(scale, std::abs(vb[i]));
  }
  return diff / std::max(scale, floor);
}

double gradient_floor(const RunResult& r) {
  double m = 0;
  for (std::size_t i = 1; i < r.tensors.size(); ++i) m = std::max(m, max_abs(r.tensors[i].second));
  return 1e-3 * m;
}

void copy_parameters(const nn::Module& from, nn::Module& to) {
  auto src = from.named_parameters();
  auto dst = to.named_parameters();
  REQUIRE(src.size() == dst.size());
  for (std::size_t i = 0; i < src.size(); ++i) dst[i].second.copy_from(src[i].second.to(dst[i].second.dtype()));
}

}  // namespace

TEST_CASE("memory-saving equals stored in float64, both directions, both couplings", "[exec]") {
  auto direction = GENERATE(Direction::forward, Direction::inverse);
  auto coupling = GENERATE(reversible::CouplingKind::additive, reversible::CouplingKind::affine);
  INFO(reversible::coupling_name(coupling));
  // std 0.2: the affine blocks' scales spread well away from their initial sigmoid(2).
  auto core = test::make_core(16, 3, DType::float64, 11, 0.2, coupling);
  Tensor x = test::random_normal({2, 16, 9, 7}, 5);
  Tensor upstream = test::random_normal({2, 16, 9, 7}, 6);
  RunResult stored = run(*core, x, upstream, Mode::stored, direction);
  RunResult saving = run(*core, x, upstream, Mode::memory_saving, direction);
  REQUIRE(stored.tensors.size() == saving.tensors.size());
  REQUIRE(stored.tensors.size() == 2 + core->named_parameters().size());
  const double floor = gradient_floor(stored);
  for (std::size_t i = 0; i < stored.tensors.size(); ++i) {
    const auto& [name, reference] = stored.tensors[i];
    INFO(name);
    REQUIRE(reference.defined());
    REQUIRE(saving.tensors[i].second.defined());
    double d = rel_diff(saving.tensors[i].second, reference, floor);
    INFO("relative difference " << d);
    CHECK(d <= 1e-10);
  }
}

// In float32 the memory-saving path rounds once more than the stored one (every activation
// it uses in the backward is rebuilt by a float32 subtraction), so tensor by tensor its error
// against float64 is not always below the stored path's; what must hold is that it is of the
// same size: the worst error over all tensors at most twice the stored path's worst, and each
// tensor far inside float32 territory (an executor bug shows up as O(1)).
TEST_CASE("memory-saving vs stored in float32 is within float32 rounding", "[exec]") {
  auto direction = GENERATE(Direction::forward, Direction::inverse);
  auto coupling = GENERATE(reversible::CouplingKind::additive, reversible::CouplingKind::affine);
  INFO(reversible::coupling_name(coupling));
  auto core32 = test::make_core(16, 3, DType::float32, 11, 0.02, coupling);
  auto core64 = test::make_core(16, 3, DType::float64, 11, 0.02, coupling);
  copy_parameters(*core32, *core64);
  Tensor x32 = test::random_normal({2, 16, 9, 7}, 5, DType::float32);
  Tensor up32 = test::random_normal({2, 16, 9, 7}, 6, DType::float32);
  RunResult stored64 = run(*core64, x32.to(DType::float64), up32.to(DType::float64), Mode::stored, direction);
  RunResult stored32 = run(*core32, x32, up32, Mode::stored, direction);
  RunResult saving32 = run(*core32, x32, up32, Mode::memory_saving, direction);
  const double floor = gradient_floor(stored64);
  double worst_rounding = 0, worst_saving = 0;
  for (std::size_t i = 0; i < stored32.tensors.size(); ++i) {
    const std::string& name = stored32.tensors[i].first;
    double rounding = rel_diff(stored32.tensors[i].second, stored64.tensors[i].second, floor);
    double saving = rel_diff(saving32.tensors[i].second, stored64.tensors[i].second, floor);
    INFO(fmt::format("{}: stored32 vs float64 {:.2e}, memory-saving32 vs float64 {:.2e}", name, rounding, saving));
    CHECK(saving < 1e-4);
    worst_rounding = std::max(worst_rounding, rounding);
    worst_saving = std::max(worst_saving, saving);
  }
  INFO(fmt::format("worst: stored32 {:.2e}, memory-saving32 {:.2e}", worst_rounding, worst_saving));
  CHECK(worst_saving <= 2.0 * worst_rounding);
}

TEST_CASE("memory-saving backward leaves no reconstructed tensor alive", "[exec]") {
  auto coupling = GENERATE(reversible::CouplingKind::additive, reversible::CouplingKind::affine);
  INFO(reversible::coupling_name(coupling));
  auto core = test::make_core(8, 4, DType::float32, 3, 0.02, coupling);
  core->set_mode(Mode::memory_saving);
  Allocator& a = cpu_allocator();
  // Warm-up creates every parameter's .grad so that the measured run allocates no new gradients.
  for (int pass = 0; pass < 2; ++pass) {
    const int64_t activations_before = a.stats().live(MemoryCategory::activations);
    {
      Tensor x = test::random_normal({1, 8, 8, 8}, 1, DType::float32);
      x.set_requires_grad(true);
      Tensor y = core->forward(x);
      y.backward(ops::ones_like(y));
      x = Tensor();
    }
    INFO("pass " << pass);
    CHECK(a.stats().live(MemoryCategory::activations) == activations_before);
  }
}

// A memory budget mixes the executors: the first blocks of a pass run stored while what they
// keep fits, the others memory-saving. Every budget gives the stored path's outputs and
// gradients (float64), and the number of stored blocks follows the budget: none at 0, all when
// unlimited, and as many as fit in between, spent across passes until the budget is reset.
TEST_CASE("memory budgets: gradients equal stored mode at every budget, blocks stored as they fit", "[exec]") {
  auto direction = GENERATE(Direction::forward, Direction::inverse);
  auto coupling = GENERATE(reversible::CouplingKind::additive, reversible::CouplingKind::affine);
  INFO(reversible::coupling_name(coupling));
  constexpr int depth = 4;
  auto core = test::make_core(16, depth, DType::float64, 11, 0.02, coupling);
  Tensor x = test::random_normal({2, 16, 9, 7}, 5);
  Tensor upstream = test::random_normal({2, 16, 9, 7}, 6);
  RunResult stored = run(*core, x, upstream, Mode::stored, direction);
  const double floor = gradient_floor(stored);

  // One block's cost, as the sequence measures it (an unlimited budget stores every block).
  core->set_memory_budget(reversible::ReversibleSequence::unlimited_budget);
  run(*core, x, upstream, Mode::memory_saving, direction);
  CHECK(core->last_recorded_blocks() == depth);
  core->set_memory_budget(reversible::ReversibleSequence::unlimited_budget - 1);
  core->reset_budget();
  run(*core, x, upstream, Mode::memory_saving, direction);
  const int64_t spent = reversible::ReversibleSequence::unlimited_budget - 1 - core->budget_left();
  REQUIRE(spent % depth == 0);
  const int64_t block = spent / depth;
  REQUIRE(block > 0);

  for (int64_t fits : {int64_t{0}, int64_t{1}, int64_t{3}, int64_t{depth}}) {
    INFO("budget for " << fits << " blocks");
    core->set_memory_budget(fits * block + block / 2);
    RunResult mixed = run(*core, x, upstream, Mode::memory_saving, direction);
    CHECK(core->last_recorded_blocks() == static_cast<std::size_t>(fits));
    for (std::size_t i = 0; i < stored.tensors.size(); ++i) {
      INFO(stored.tensors[i].first);
      CHECK(rel_diff(mixed.tensors[i].second, stored.tensors[i].second, floor) <= 1e-10);
    }
    // A second pass without a reset finds the budget spent (up to half a block).
    run(*core, x, upstream, Mode::memory_saving, direction);
    CHECK(core->last_recorded_blocks() == 0);
  }
  CHECK_THROWS_WITH(core->set_memory_budget(-1), Catch::Contains("must not be negative"));
}
