// Batch norm: float64 finite-difference checks (training and eval, affine or not, 2D/3D, 1x1
// maps), the running-statistics update against a hand computation (momentum, unbiased
// variance), eval mode's use of the running statistics, and argument errors.
#include <catch2/catch.hpp>
#include <cmath>

#include "engine/ops/arithmetic.hpp"
#include "engine/ops/batch_norm.hpp"
#include "engine/tensor/factory.hpp"
#include "tests/support/coverage.hpp"
#include "tests/support/gradcheck.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using test::gradcheck;
using test::random_normal;

REVGAN_GRADCHECK_COVERS(ops::OpKind::batch_norm);

namespace {

Tensor shifted(Shape shape, uint64_t seed) {
  return ops::add(random_normal(shape, seed, DType::float64, 2.0), ops::full(shape, 0.7, DType::float64));
}

}  // namespace

TEST_CASE("gradcheck batch norm", "[op][grad]") {
  for (Shape shape : {Shape{3, 2, 3, 4}, Shape{2, 3, 2, 2, 3}, Shape{4, 3, 1, 1}, Shape{2, 2, 5}}) {
    INFO(shape.str());
    const int64_t c = shape[1];
    std::vector<Tensor> in{
        shifted(shape, 61), shifted({c}, 62), random_normal({c}, 63, DType::float64),
        ops::add(test::random_uniform({c}, 64, 0.5, 2.0, DType::float64), ops::full({c}, 0.0, DType::float64)),
        test::random_uniform({c}, 65, 0.5, 2.0, DType::float64)};
    for (bool training : {true, false}) {
      INFO("training " << training);
      ops::BatchNormOptions o;
      o.training = training;
      // Fresh running buffers per call: the finite differences call f many times.
      auto affine = [o](const std::vector<Tensor>& x) {
        return ops::batch_norm(x[0], x[1], x[2], x[3].clone(), x[4].clone(), o);
      };
      REVGAN_REQUIRE_GRADCHECK(gradcheck(affine, in, {true, true, true, false, false}));
      auto plain = [o](const std::vector<Tensor>& x) {
        return ops::batch_norm(x[0], Tensor(), Tensor(), x[3].clone(), x[4].clone(), o);
      };
      REVGAN_REQUIRE_GRADCHECK(gradcheck(plain, in, {true, false, false, false, false}));
    }
  }
}

TEST_CASE("batch norm updates running statistics like PyTorch", "[op]") {
  for (DType dtype : {DType::float32, DType::float64}) {
    Tensor x = test::random_uniform({3, 2, 4, 5}, 66, -3.0, 5.0, dtype);
    Tensor rm = ops::full({2}, 0.5, dtype), rv = ops::full({2}, 2.0, dtype);
    ops::BatchNormOptions o;
    o.momentum = 0.25;
    Tensor y = ops::batch_norm(x, Tensor(), Tensor(), rm, rv, o);
    auto xv = x.to_vector(), yv = y.to_vector(), rmv = rm.to_vector(), rvv = rv.to_vector();
    const double tol = dtype == DType::float32 ? 2e-5 : 1e-12;
    for (int c = 0; c < 2; ++c) {
      double sum = 0, sq = 0;
      for (int n = 0; n < 3; ++n)
        for (int k = 0; k < 20; ++k) sum += xv[static_cast<std::size_t>((n * 2 + c) * 20 + k)];
      const double mean = sum / 60;
      for (int n = 0; n < 3; ++n)
        for (int k = 0; k < 20; ++k) sq += std::pow(xv[static_cast<std::size_t>((n * 2 + c) * 20 + k)] - mean, 2);
      CHECK(std::abs(rmv[static_cast<std::size_t>(c)] - (0.75 * 0.5 + 0.25 * mean)) < tol);
      CHECK(std::abs(rvv[static_cast<std::size_t>(c)] - (0.75 * 2.0 + 0.25 * sq / 59)) < tol * 10);
      const std::size_t i = static_cast<std::size_t>((1 * 2 + c) * 20 + 3);
      CHECK(std::abs(yv[i] - (xv[i] - mean) / std::sqrt(sq / 60 + 1e-5)) < tol * 10);
    }
  }
}

TEST_CASE("batch norm in eval mode uses the running statistics and leaves them", "[op]") {
  Tensor x = random_normal({2, 2, 3, 3}, 67, DType::float64);
  Tensor rm = tensor_from_values({2}, {0.5, -1.0}, DType::float64);
  Tensor rv = tensor_from_values({2}, {4.0, 0.25}, DType::float64);
  Tensor w = tensor_from_values({2}, {2.0, 3.0}, DType::float64);
  Tensor b = tensor_from_values({2}, {0.1, -0.2}, DType::float64);
  ops::BatchNormOptions o;
  o.training = false;
  auto y = ops::batch_norm(x, w, b, rm, rv, o).to_vector();
  auto xv = x.to_vector();
  for (std::size_t i = 0; i < xv.size(); ++i) {
    const std::size_t c = (i / 9) % 2;
    const double m[] = {0.5, -1.0}, v[] = {4.0, 0.25}, ww[] = {2.0, 3.0}, bb[] = {0.1, -0.2};
    CHECK(std::abs(y[i] - ((xv[i] - m[c]) / std::sqrt(v[c] + 1e-5) * ww[c] + bb[c])) < 1e-12);
  }
  CHECK(rm.to_vector() == std::vector<double>{0.5, -1.0});
  CHECK(rv.to_vector() == std::vector<double>{4.0, 0.25});
}

TEST_CASE("batch norm rejects bad arguments naming op and problem", "[op]") {
  Tensor x = random_normal({2, 3, 4, 4}, 68);
  Tensor c3 = ops::full({3}, 1.0, DType::float64), c2 = ops::full({2}, 1.0, DType::float64);
  ops::BatchNormOptions eval;
  eval.training = false;
  REQUIRE_THROWS_WITH(ops::batch_norm(random_normal({2, 3}, 69), Tensor(), Tensor(), Tensor(), Tensor()),
                      Catch::Contains("batch_norm") && Catch::Contains("rank 3 to 5"));
  REQUIRE_THROWS_WITH(ops::batch_norm(x, c2, Tensor(), Tensor(), Tensor()),
                      Catch::Contains("batch_norm") && Catch::Contains("weight must have shape [3]"));
  REQUIRE_THROWS_WITH(ops::batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), eval),
                      Catch::Contains("batch_norm") && Catch::Contains("running statistics"));
  REQUIRE_THROWS_WITH(ops::batch_norm(x, Tensor(), Tensor(), c3, Tensor()),
                      Catch::Contains("batch_norm") && Catch::Contains("together"));
  REQUIRE_THROWS_WITH(ops::batch_norm(random_normal({1, 3, 1, 1}, 70), Tensor(), Tensor(), Tensor(), Tensor()),
                      Catch::Contains("batch_norm") && Catch::Contains("more than one value per channel"));
  ops::BatchNormOptions bad;
  bad.momentum = 1.5;
  REQUIRE_THROWS_WITH(ops::batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), bad),
                      Catch::Contains("batch_norm") && Catch::Contains("momentum"));
}
