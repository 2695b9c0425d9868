// Instance norm: float64 finite-difference checks (1D/2D/3D spatial, batches, odd sizes),
// forward statistics, argument errors, and proof that the node does not keep its input alive.
#include <catch2/catch.hpp>
#include <cmath>

#include "engine/autograd/backward.hpp"
#include "engine/autograd/node.hpp"
#include "engine/memory/allocator.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/instance_norm.hpp"
#include "tests/support/coverage.hpp"
#include "tests/support/gradcheck.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using test::gradcheck;
using test::random_normal;

REVGAN_GRADCHECK_COVERS(ops::OpKind::instance_norm);

TEST_CASE("gradcheck instance norm", "[op][grad]") {
  // Shifted, scaled normals: per-instance statistics far from (0, 1), as after a conv.
  for (Shape shape : {Shape{2, 3, 3, 5}, Shape{1, 2, 3, 3, 5}, Shape{2, 2, 7}, Shape{1, 1, 1, 3}}) {
    INFO(shape.str());
    std::vector<Tensor> in{
        ops::add(random_normal(shape, 51, DType::float64, 2.5), ops::full(shape, 1.5, DType::float64))};
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::instance_norm(x[0]); }, in, {true}));
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::instance_norm(x[0], 0.1); }, in, {true}));
  }
}

TEST_CASE("instance norm forward gives zero mean and unit variance per instance", "[op]") {
  for (DType dtype : {DType::float32, DType::float64}) {
    Tensor x = test::random_uniform({2, 3, 5, 7}, 52, -4.0, 10.0, dtype);
    auto y = ops::instance_norm(x).to_vector();
    const double tol = dtype == DType::float32 ? 1e-5 : 1e-12;
    for (int i = 0; i < 6; ++i) {
      double sum = 0, sq = 0;
      for (int k = 0; k < 35; ++k) {
        const double v = y[static_cast<std::size_t>(i * 35 + k)];
        sum += v;
        sq += v * v;
      }
      CHECK(std::abs(sum / 35) < tol);
      // eps = 1e-5 shrinks the variance slightly below 1 (var ~ 16 here).
      CHECK(std::abs(sq / 35 - 1.0) < 1e-5);
    }
  }
  // A constant instance normalises to zero rather than NaN thanks to eps.
  auto y = ops::instance_norm(ops::full({1, 1, 2, 2}, 3.0, DType::float64)).to_vector();
  for (double v : y) CHECK(v == 0.0);
}

TEST_CASE("instance norm rejects bad arguments naming op and problem", "[op]") {
  REQUIRE_THROWS_WITH(ops::instance_norm(random_normal({2, 3}, 53)),
                      Catch::Contains("instance_norm") && Catch::Contains("rank 3 to 5") && Catch::Contains("[2, 3]"));
  REQUIRE_THROWS_WITH(ops::instance_norm(random_normal({1, 2, 0, 3}, 54)),
                      Catch::Contains("instance_norm") && Catch::Contains("no spatial elements"));
  REQUIRE_THROWS_WITH(ops::instance_norm(random_normal({1, 2, 3}, 55), -1.0),
                      Catch::Contains("instance_norm") && Catch::Contains("eps"));
  REQUIRE_THROWS_WITH(ops::instance_norm(Tensor()), Catch::Contains("instance_norm") && Catch::Contains("undefined"));
}

TEST_CASE("instance norm's node keeps no input alive", "[op]") {
  Tensor leaf = random_normal({2, 3, 4, 5}, 56);
  leaf.set_requires_grad(true);
  // A non-leaf input: a leaf would stay alive through its gradient accumulator anyway.
  Tensor x = ops::scale(leaf, 2.0);
  const auto x_bytes = static_cast<int64_t>(x.nbytes());
  Tensor y = ops::instance_norm(x);
  const int64_t before = cpu_allocator().stats().live_bytes;
  x = Tensor();
  CHECK(before - cpu_allocator().stats().live_bytes == x_bytes);
  REQUIRE(y.requires_grad());
  REQUIRE(y.grad_fn() != nullptr);
  CHECK(std::string(y.grad_fn()->name()) == "InstanceNormBackward");

  // The backward still works from what was kept: y and invstd.
  Tensor w = random_normal(y.shape(), 57);
  run_backward({y}, {w}, false);
  REQUIRE(leaf.grad().defined());
  CHECK(leaf.grad().shape() == leaf.shape());
  double total = 0;
  for (double v : leaf.grad().to_vector()) total += std::abs(v);
  CHECK(total > 0);
}
