// Autograd semantics: accumulation in leaves, NoGrad, detach, graph release and retention.
#include <catch2/catch.hpp>

#include "engine/autograd/backward.hpp"
#include "engine/autograd/grad_mode.hpp"
#include "engine/ops/arithmetic.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;

TEST_CASE("a tensor used twice receives the sum of both gradients", "[engine]") {
  Tensor x = test::from_values({3}, {1, 2, 3}).set_requires_grad(true);
  Tensor y = ops::mul(x, x);  // dy/dx = 2x
  y.backward(ops::ones_like(y));
  REQUIRE(x.grad().to_vector() == std::vector<double>{2, 4, 6});
}

TEST_CASE("gradients accumulate across backward calls until cleared", "[engine]") {
  Tensor x = test::from_values({2}, {1, -1}).set_requires_grad(true);
  for (int i = 0; i < 3; ++i) ops::scale(x, 2.0).backward(ops::ones_like(x));
  REQUIRE(x.grad().to_vector() == std::vector<double>{6, 6});
  x.zero_grad();
  REQUIRE_FALSE(x.grad().defined());
}

TEST_CASE("NoGrad scope records nothing and detach cuts history", "[engine]") {
  Tensor x = test::from_values({2}, {1, 2}).set_requires_grad(true);
  {
    NoGradScope no_grad;
    Tensor y = ops::scale(x, 3.0);
    REQUIRE_FALSE(y.requires_grad());
    REQUIRE(y.grad_fn() == nullptr);
  }
  Tensor d = ops::scale(x, 3.0).detach();
  REQUIRE_FALSE(d.requires_grad());
  REQUIRE(d.to_vector() == std::vector<double>{3, 6});
}

TEST_CASE("a second backward through a released graph is a clear error", "[engine]") {
  Tensor x = test::from_values({2}, {1, 2}).set_requires_grad(true);
  Tensor y = ops::mul(x, x);
  y.backward(ops::ones_like(y));
  REQUIRE_THROWS_WITH(y.backward(ops::ones_like(y)), Catch::Contains("retain_graph"));
}

TEST_CASE("retain_graph keeps saved tensors for a second backward", "[engine]") {
  Tensor x = test::from_values({2}, {1, 2}).set_requires_grad(true);
  Tensor y = ops::mul(x, x);
  y.backward(ops::ones_like(y), true);
  y.backward(ops::ones_like(y));
  REQUIRE(x.grad().to_vector() == std::vector<double>{4, 8});
}

TEST_CASE("backward from a non-scalar without a gradient names the shape", "[engine]") {
  Tensor x = test::from_values({2}, {1, 2}).set_requires_grad(true);
  REQUIRE_THROWS_WITH(ops::scale(x, 1.0).backward(), Catch::Contains("[2]"));
}

TEST_CASE("a diamond graph sums gradients at the join", "[engine]") {
  Tensor x = test::from_values({2}, {3, 4}).set_requires_grad(true);
  Tensor a = ops::scale(x, 2.0);
  Tensor b = ops::mul(a, x);    // 2x^2
  Tensor c = ops::sub(b, a);    // 2x^2 - 2x
  c.backward(ops::ones_like(c));  // 4x - 2
  REQUIRE(x.grad().to_vector() == std::vector<double>{10, 14});
}
