// Adam against hand-computed float64 values, per-parameter steps, lazy state accounting,
// and minimisation of a quadratic through autograd.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/memory/allocator.hpp"
#include "engine/nn/module.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/reduce.hpp"
#include "engine/optim/adam.hpp"
#include "engine/tensor/factory.hpp"

using namespace revgan;
using optim::Adam;
using optim::AdamOptions;

namespace {

class TwoParams : public nn::Module {
 public:
  explicit TwoParams(DType dtype = DType::float64) {
    a = register_parameter("a", tensor_from_values({2}, {1.0, -0.5}, dtype));
    b = register_parameter("b", tensor_from_values({3}, {0.25, 0.5, 0.75}, dtype));
  }
  Tensor a, b;
};

void set_grad(Tensor& p, const std::vector<double>& g) {
  MemoryCategoryScope scope(MemoryCategory::gradients);
  p.set_grad(tensor_from_values(p.shape(), g, p.dtype()));
}

void require_close(const std::vector<double>& actual, const std::vector<double>& expected, double tol) {
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    INFO("element " << i << ": " << actual[i] << " vs " << expected[i]);
    REQUIRE(std::abs(actual[i] - expected[i]) <= tol * std::max(1.0, std::abs(expected[i])));
  }
}

}  // namespace

TEST_CASE("Adam matches hand-computed float64 updates", "[nn][adam]") {
  TwoParams net;
  Adam adam(net.named_parameters(), AdamOptions{0.1, 0.5, 0.999, 1e-8});

  // Step 1: bias correction makes the update lr * g / (|g| + eps).
  set_grad(net.a, {0.2, -1.0});
  adam.step();
  require_close(net.a.to_vector(), {1.0 - 0.1 * 0.2 / (0.2 + 1e-8), -0.5 + 0.1 * 1.0 / (1.0 + 1e-8)}, 1e-15);
  require_close(adam.state("a")->exp_avg.to_vector(), {0.1, -0.5}, 1e-15);
  require_close(adam.state("a")->exp_avg_sq.to_vector(), {4.0e-05, 1.0e-3}, 1e-15);

  // Steps 2 and 3, values from PyTorch's formulas evaluated by hand in double precision.
  set_grad(net.a, {-0.4, 0.3});
  adam.step();
  require_close(net.a.to_vector(), {0.9632360667613364, -0.38193528293678447}, 1e-14);
  set_grad(net.a, {0.1, 0.1});
  adam.step();
  require_close(net.a.to_vector(), {0.9740358242792878, -0.38193528293678447}, 1e-14);
  require_close(adam.state("a")->exp_avg.to_vector(), {-0.025, 0.0}, 1e-14);
  require_close(adam.state("a")->exp_avg_sq.to_vector(), {0.00020976004, 0.001097911}, 1e-13);
  REQUIRE(adam.state("a")->step == 3);
  REQUIRE(adam.step_count() == 3);

  // b never had a gradient: untouched, no state.
  REQUIRE(net.b.to_vector() == std::vector<double>{0.25, 0.5, 0.75});
  REQUIRE(adam.state("b") == nullptr);
}

TEST_CASE("Adam keeps a bias-correction step per parameter", "[nn][adam]") {
  TwoParams net;
  Adam adam(net.named_parameters(), AdamOptions{0.01, 0.9, 0.999, 1e-8});
  set_grad(net.a, {1.0, 1.0});
  adam.step();
  adam.zero_grad();
  REQUIRE(!net.a.grad().defined());
  set_grad(net.b, {2.0, -2.0, 0.5});
  adam.step();
  // b's first update is a full lr-sized step despite being the optimizer's second.
  REQUIRE(adam.state("b")->step == 1);
  REQUIRE(adam.state("a")->step == 1);
  require_close(net.b.to_vector(), {0.25 - 0.01, 0.5 + 0.01, 0.75 - 0.01}, 1e-9);
}

TEST_CASE("Adam moment buffers are allocated lazily as optimizer_state", "[nn][adam][engine]") {
  Allocator& alloc = cpu_allocator();
  const int64_t before = alloc.stats().live(MemoryCategory::optimizer_state);
  {
    TwoParams net;
    Adam adam(net.named_parameters());
    REQUIRE(alloc.stats().live(MemoryCategory::optimizer_state) == before);
    set_grad(net.a, {1.0, 2.0});
    set_grad(net.b, {1.0, 2.0, 3.0});
    adam.step();
    // Two moments of (2 + 3) doubles.
    REQUIRE(alloc.stats().live(MemoryCategory::optimizer_state) - before == 2 * 5 * 8);
    REQUIRE(adam.state("a")->exp_avg.storage()->category() == MemoryCategory::optimizer_state);
    adam.step();
    REQUIRE(alloc.stats().live(MemoryCategory::optimizer_state) - before == 2 * 5 * 8);
  }
  REQUIRE(alloc.stats().live(MemoryCategory::optimizer_state) == before);
}

TEST_CASE("Adam minimises a quadratic through autograd, float32 and float64", "[nn][adam]") {
  for (DType dtype : {DType::float64, DType::float32}) {
    INFO(dtype_name(dtype));
    TwoParams net(dtype);
    const Tensor target_a = tensor_from_values({2}, {3.0, -2.0}, dtype);
    const Tensor target_b = tensor_from_values({3}, {-1.0, 0.0, 1.5}, dtype);
    Adam adam(net.named_parameters(), AdamOptions{0.05, 0.9, 0.999, 1e-8});
    double loss = 0;
    for (int it = 0; it < 600; ++it) {
      adam.zero_grad();
      Tensor da = ops::sub(net.a, target_a), db = ops::sub(net.b, target_b);
      Tensor l = ops::add(ops::sum(ops::mul(da, da)), ops::sum(ops::mul(db, db)));
      loss = l.item();
      l.backward();
      adam.step();
    }
    REQUIRE(loss < 1e-4);
    require_close(net.a.to_vector(), {3.0, -2.0}, 1e-2);
    require_close(net.b.to_vector(), {-1.0, 0.0, 1.5}, 1e-2);
  }
}

TEST_CASE("Adam rejects bad options, duplicates and mismatched state", "[nn][adam]") {
  TwoParams net;
  REQUIRE_THROWS_WITH(Adam(net.named_parameters(), AdamOptions{0.1, 1.0, 0.999, 1e-8}), Catch::Contains("betas"));
  auto params = net.named_parameters();
  params.push_back(params[0]);
  REQUIRE_THROWS_WITH(Adam(params), Catch::Contains("'a'") && Catch::Contains("twice"));
  Adam adam(net.named_parameters());
  REQUIRE_THROWS(adam.set_lr(-1));
  adam.set_lr(0.5);
  REQUIRE(adam.lr() == 0.5);
  Tensor wrong = tensor_from_values({3}, {0, 0, 0}, DType::float64);
  REQUIRE_THROWS_WITH(adam.set_state("a", 1, wrong, wrong), Catch::Contains("'a'") && Catch::Contains("[2]"));
  REQUIRE_THROWS_WITH(adam.set_state("zzz", 1, wrong, wrong), Catch::Contains("zzz"));
}
