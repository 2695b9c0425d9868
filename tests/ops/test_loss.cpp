// Finite-difference checks of l1, mse, bce and bce_with_logits losses w.r.t. the prediction
// (float64), their values at the clamped/saturated extremes, and argument checks.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/ops/loss.hpp"
#include "tests/support/coverage.hpp"
#include "tests/support/gradcheck.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using test::from_values;
using test::gradcheck;
using test::random_normal;
using test::random_uniform;

REVGAN_GRADCHECK_COVERS(ops::OpKind::l1_loss, ops::OpKind::mse_loss, ops::OpKind::bce_loss,
                        ops::OpKind::bce_with_logits_loss);

namespace {

const std::vector<Shape> k_shapes{Shape{6}, Shape{2, 3, 4, 4}, Shape{1, 2, 3, 4, 5}};

// A target with |x - target| >= 0.05 everywhere, so l1's kink stays out of the probes' reach.
Tensor l1_target(const Tensor& x, uint64_t seed) {
  Tensor t = x.clone();
  Tensor d = random_normal(x.shape(), seed);
  double* pt = t.data<double>();
  const double* pd = d.data<double>();
  for (int64_t i = 0; i < t.numel(); ++i) pt[i] -= pd[i] + (pd[i] < 0 ? -0.05 : 0.05);
  return t;
}

bool all_finite(const Tensor& t) {
  for (double v : t.to_vector())
    if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace

TEST_CASE("gradcheck l1 mse losses w.r.t. x", "[op][grad]") {
  for (const Shape& shape : k_shapes) {
    INFO(shape.str());
    Tensor x = random_normal(shape, 31);
    std::vector<Tensor> l1_in{x, l1_target(x, 32)};
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& v) { return ops::l1_loss(v[0], v[1]); }, l1_in, {true, false}));
    std::vector<Tensor> mse_in{x, random_normal(shape, 33)};
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& v) { return ops::mse_loss(v[0], v[1]); }, mse_in, {true, false}));
  }
}

TEST_CASE("gradcheck bce losses w.r.t. the prediction", "[op][grad]") {
  for (const Shape& shape : k_shapes) {
    INFO(shape.str());
    // Soft targets exercise both terms of every element at once.
    Tensor target = random_uniform(shape, 34, 0.0, 1.0);
    std::vector<Tensor> bce_in{random_uniform(shape, 35, 0.05, 0.95), target};
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& v) { return ops::bce_loss(v[0], v[1]); }, bce_in, {true, false}));
    Tensor logits = random_normal(shape, 36, DType::float64, 3.0);
    logits.data<double>()[0] = 8.0;
    logits.data<double>()[logits.numel() - 1] = -8.0;
    std::vector<Tensor> logit_in{logits, target};
    REVGAN_REQUIRE_GRADCHECK(
        gradcheck([](auto& v) { return ops::bce_with_logits_loss(v[0], v[1]); }, logit_in, {true, false}));
  }
  // Hard 0/1 targets, as a GAN discriminator sees them.
  Tensor hard = from_values({6}, {0, 1, 1, 0, 1, 0});
  std::vector<Tensor> bce_in{random_uniform({6}, 37, 0.05, 0.95), hard};
  REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& v) { return ops::bce_loss(v[0], v[1]); }, bce_in, {true, false}));
  std::vector<Tensor> logit_in{from_values({6}, {-8, 8, -0.5, 0.7, 2.5, -3}), hard};
  REVGAN_REQUIRE_GRADCHECK(
      gradcheck([](auto& v) { return ops::bce_with_logits_loss(v[0], v[1]); }, logit_in, {true, false}));
}

TEST_CASE("loss values and shape", "[op]") {
  Tensor x = from_values({4}, {1.0, -2.0, 0.5, 3.0});
  Tensor t = from_values({4}, {0.0, 0.0, 1.0, 3.0});
  Tensor l1 = ops::l1_loss(x, t);
  REQUIRE(l1.shape() == Shape{1});
  REQUIRE(l1.item() == Approx((1.0 + 2.0 + 0.5 + 0.0) / 4));
  REQUIRE(ops::mse_loss(x, t).item() == Approx((1.0 + 4.0 + 0.25 + 0.0) / 4));
  // Large logits stay exact instead of overflowing exp.
  Tensor z = from_values({2}, {100.0, -100.0}, DType::float32);
  Tensor zt = from_values({2}, {0.0, 1.0}, DType::float32);
  REQUIRE(ops::bce_with_logits_loss(z, zt).item() == Approx(100.0));
}

TEST_CASE("bce with p exactly 0 or 1 stays finite", "[op]") {
  for (DType dtype : {DType::float32, DType::float64}) {
    INFO(dtype_name(dtype));
    // The log clamp at -100 bounds each wrong-side term at 100.
    REQUIRE(ops::bce_loss(from_values({1}, {0.0}, dtype), from_values({1}, {1.0}, dtype)).item() == Approx(100.0));
    Tensor p = from_values({4}, {0.0, 1.0, 0.0, 1.0}, dtype);
    Tensor t = from_values({4}, {1.0, 0.0, 0.0, 1.0}, dtype);
    p.set_requires_grad(true);
    Tensor loss = ops::bce_loss(p, t);
    REQUIRE(loss.item() == Approx(50.0));
    loss.backward();
    REQUIRE(all_finite(p.grad()));
  }
}

TEST_CASE("loss backward scales by the upstream gradient and skips the target", "[op]") {
  Tensor x = from_values({2}, {1.0, 4.0});
  Tensor t = from_values({2}, {0.0, 1.0});
  x.set_requires_grad(true);
  t.set_requires_grad(true);
  Tensor loss = ops::mse_loss(x, t);
  loss.backward(from_values({1}, {-2.0}));
  // d/dx mean((x - t)^2) = (x - t), times -2.
  REQUIRE(x.grad().to_vector() == std::vector<double>{-2.0, -6.0});
  REQUIRE_FALSE(t.grad().defined());
  // A target alone requiring grad records nothing: there is no gradient to produce.
  Tensor plain = from_values({2}, {1.0, 4.0});
  REQUIRE_FALSE(ops::l1_loss(plain, t).requires_grad());
}

TEST_CASE("losses reject mismatched arguments, naming the op", "[op]") {
  Tensor x = random_normal({2, 3}, 38), t = random_normal({3, 2}, 39);
  REQUIRE_THROWS_WITH(ops::l1_loss(x, t),
                      Catch::Contains("l1_loss") && Catch::Contains("[2, 3]") && Catch::Contains("[3, 2]"));
  REQUIRE_THROWS_WITH(ops::mse_loss(x, t), Catch::Contains("mse_loss") && Catch::Contains("[3, 2]"));
  REQUIRE_THROWS_WITH(ops::bce_loss(x, t), Catch::Contains("bce_loss") && Catch::Contains("'p'"));
  REQUIRE_THROWS_WITH(ops::bce_with_logits_loss(x, t),
                      Catch::Contains("bce_with_logits_loss") && Catch::Contains("'logits'"));
  Tensor t32 = random_normal({2, 3}, 40, DType::float32);
  REQUIRE_THROWS_WITH(ops::mse_loss(x, t32), Catch::Contains("mse_loss") && Catch::Contains("float32"));
  REQUIRE_THROWS_WITH(ops::l1_loss(x, Tensor()), Catch::Contains("l1_loss") && Catch::Contains("'target'"));
  REQUIRE_THROWS_WITH(ops::l1_loss(Tensor(), x), Catch::Contains("l1_loss") && Catch::Contains("'x'"));
  Tensor empty = Tensor::empty({0, 3}, DType::float64);
  REQUIRE_THROWS_WITH(ops::mse_loss(empty, empty), Catch::Contains("mse_loss") && Catch::Contains("[0, 3]"));
}
