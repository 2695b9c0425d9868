// Finite-difference checks of relu, leaky_relu, tanh, sigmoid (float64), their argument checks,
// and that saving only the output leaves no reference cycle.
#include <catch2/catch.hpp>

#include <limits>

#include <cmath>
#include <cstring>
#include <iterator>
#include <memory>

#include "engine/autograd/node.hpp"
#include "engine/ops/activation.hpp"
#include "tests/support/coverage.hpp"
#include "tests/support/gradcheck.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using test::gradcheck;
using test::random_normal;

REVGAN_GRADCHECK_COVERS(ops::OpKind::relu, ops::OpKind::leaky_relu, ops::OpKind::tanh, ops::OpKind::sigmoid,
                        ops::OpKind::reciprocal);

namespace {

// Normals pushed away from 0 by `gap`, so the +-1e-6 finite-difference probes never cross
// the kink of relu / leaky_relu.
Tensor away_from_zero(const Shape& shape, uint64_t seed, double std = 1.0, double gap = 0.05) {
  Tensor x = random_normal(shape, seed, DType::float64, std);
  double* p = x.data<double>();
  for (int64_t i = 0; i < x.numel(); ++i) p[i] += p[i] < 0 ? -gap : gap;
  return x;
}

}  // namespace

TEST_CASE("gradcheck relu leaky_relu tanh sigmoid", "[op][grad]") {
  for (Shape shape : {Shape{7}, Shape{2, 3, 4, 5}, Shape{1, 2, 3, 4, 5}}) {
    INFO(shape.str());
    // std 3 reaches the saturated tails of tanh and sigmoid as well as the middle.
    std::vector<Tensor> in{away_from_zero(shape, 11, 3.0)};
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::relu(x[0]); }, in, {true}));
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::leaky_relu(x[0]); }, in, {true}));
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::leaky_relu(x[0], 0.01); }, in, {true}));
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::leaky_relu(x[0], 1.5); }, in, {true}));
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::tanh(x[0]); }, in, {true}));
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::sigmoid(x[0]); }, in, {true}));
    // away_from_zero keeps |x| >= 0.1, where 1/x is smooth enough for central differences.
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::reciprocal(x[0]); }, in, {true}));
  }
}

TEST_CASE("gradcheck of chained activations", "[op][grad]") {
  // The second activation's backward consumes the first one's gradient, not ones.
  std::vector<Tensor> in{away_from_zero({3, 4}, 12)};
  REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::tanh(ops::leaky_relu(x[0], 0.3)); }, in, {true}));
  REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::sigmoid(ops::tanh(x[0])); }, in, {true}));
}

TEST_CASE("activation forward values", "[op]") {
  Tensor x = test::from_values({4}, {-2.0, -0.5, 0.5, 3.0}, DType::float32);
  REQUIRE(ops::relu(x).to_vector() == std::vector<double>{0.0, 0.0, 0.5, 3.0});
  auto leaky = ops::leaky_relu(x, 0.25).to_vector();
  REQUIRE(leaky == std::vector<double>{-0.5, -0.125, 0.5, 3.0});
  auto t = ops::tanh(x).to_vector();
  auto s = ops::sigmoid(x).to_vector();
  for (std::size_t i = 0; i < 4; ++i) {
    double xi = x.to_vector()[i];
    CHECK(t[i] == Approx(std::tanh(xi)).epsilon(1e-6));
    CHECK(s[i] == Approx(1.0 / (1.0 + std::exp(-xi))).epsilon(1e-6));
  }
  const auto r = ops::reciprocal(x).to_vector();
  REQUIRE(r == std::vector<double>{-0.5, -2.0, 2.0, static_cast<double>(1.0f / 3.0f)});
  // IEEE division: signed infinities at signed zeros.
  const auto at_zero = ops::reciprocal(test::from_values({2}, {0.0, -0.0})).to_vector();
  REQUIRE(at_zero[0] == std::numeric_limits<double>::infinity());
  REQUIRE(at_zero[1] == -std::numeric_limits<double>::infinity());
  // Extreme logits saturate instead of producing inf/inf.
  auto extreme = ops::sigmoid(test::from_values({2}, {-1000.0, 1000.0})).to_vector();
  REQUIRE(extreme[0] == 0.0);
  REQUIRE(extreme[1] == 1.0);
}

TEST_CASE("leaky_relu float32 equals its definition bit for bit, special values included", "[op]") {
  // The kernel computes v+ + slope * v- so that it vectorises; this pins it to the textbook
  // x > 0 ? x : slope * x (and dy or slope * dy backward) on a tensor large enough for the
  // parallel vector loop, with an odd length so the scalar tail runs too.
  const int64_t n = 70001;
  const double slope = 0.2;
  Tensor x = random_normal({n}, 16, DType::float32);
  Tensor dy = random_normal({n}, 17, DType::float32);
  float* xs = x.data<float>();
  const float specials[] = {0.0f, -0.0f, std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::denorm_min()};
  for (std::size_t k = 0; k < std::size(specials); ++k) {
    xs[k] = specials[k];          // head of the vector loop
    xs[n - 1 - k] = specials[k];  // the scalar tail
  }
  x.set_requires_grad(true);
  Tensor y = ops::leaky_relu(x, slope);
  y.backward(dy);
  const float* ys = y.data<float>();
  const float* gs = x.grad().data<float>();
  const float* ds = dy.data<float>();
  const float s = static_cast<float>(slope);
  int64_t value_mismatches = 0, grad_mismatches = 0;
  auto same_bits = [](float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; };
  for (int64_t i = 0; i < n; ++i) {
    const float want = xs[i] > 0.0f ? xs[i] : s * xs[i];
    const float want_grad = ys[i] > 0.0f ? ds[i] : s * ds[i];
    if (!same_bits(ys[i], want)) ++value_mismatches;
    if (!same_bits(gs[i], want_grad)) ++grad_mismatches;
  }
  CHECK(value_mismatches == 0);
  CHECK(grad_mismatches == 0);
  CHECK(std::isnan(ys[2]));
  CHECK(std::signbit(ys[1]));
  CHECK(ys[4] == -std::numeric_limits<float>::infinity());
}

TEST_CASE("leaky_relu rejects a slope that is not positive, naming the op", "[op]") {
  Tensor x = random_normal({2, 3}, 13);
  REQUIRE_THROWS_WITH(ops::leaky_relu(x, 0.0), Catch::Contains("leaky_relu") && Catch::Contains("slope"));
  REQUIRE_THROWS_WITH(ops::leaky_relu(x, -0.2), Catch::Contains("leaky_relu") && Catch::Contains("-0.2"));
  REQUIRE_THROWS_WITH(ops::leaky_relu(x, std::nan("")), Catch::Contains("leaky_relu"));
}

TEST_CASE("activations reject an undefined input, naming the op", "[op]") {
  REQUIRE_THROWS_WITH(ops::relu(Tensor()), Catch::Contains("relu") && Catch::Contains("'x'"));
  REQUIRE_THROWS_WITH(ops::leaky_relu(Tensor()), Catch::Contains("leaky_relu"));
  REQUIRE_THROWS_WITH(ops::tanh(Tensor()), Catch::Contains("tanh"));
  REQUIRE_THROWS_WITH(ops::sigmoid(Tensor()), Catch::Contains("sigmoid"));
  REQUIRE_THROWS_WITH(ops::reciprocal(Tensor()), Catch::Contains("reciprocal"));
}

TEST_CASE("activation nodes do not keep their own output alive", "[op]") {
  // A node holding y itself would form y -> node -> y and never be freed.
  Tensor x = random_normal({4}, 14);
  x.set_requires_grad(true);
  std::weak_ptr<Node> node;
  {
    Tensor y = ops::sigmoid(x);
    REQUIRE(y.grad_fn() != nullptr);
    REQUIRE(std::string(y.grad_fn()->name()) == "SigmoidBackward");
    node = y.grad_fn();
  }
  REQUIRE(node.expired());
}

TEST_CASE("activations record no graph when no input requires grad", "[op]") {
  Tensor x = random_normal({4}, 15);
  REQUIRE(ops::relu(x).grad_fn() == nullptr);
  REQUIRE_FALSE(ops::tanh(x).requires_grad());
}
