// Dropout: float64 finite-difference check (a fixed seed makes the function deterministic),
// the mask's statistics and scaling, eval / p = 0 as identity, the backward reusing the forward's
// mask, reproducibility from the Generator, and argument errors.
#include <catch2/catch.hpp>
#include <cmath>

#include "engine/autograd/backward.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/dropout.hpp"
#include "tests/support/coverage.hpp"
#include "tests/support/gradcheck.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using test::gradcheck;
using test::random_normal;

REVGAN_GRADCHECK_COVERS(ops::OpKind::dropout);

TEST_CASE("gradcheck dropout", "[op][grad]") {
  std::vector<Tensor> in{random_normal({2, 3, 4, 5}, 71, DType::float64)};
  for (double p : {0.5, 0.2}) {
    auto f = [p](const std::vector<Tensor>& x) {
      Generator gen(17);
      return ops::dropout(x[0], p, true, gen);
    };
    REVGAN_REQUIRE_GRADCHECK(gradcheck(f, in, {true}));
  }
}

TEST_CASE("dropout zeroes about p of the elements and scales the rest by 1 / (1 - p)", "[op]") {
  Tensor x = ops::full({4, 8, 32, 32}, 3.0, DType::float32);
  for (double p : {0.5, 0.25}) {
    Generator gen(5);
    auto y = ops::dropout(x, p, true, gen).to_vector();
    int64_t zeros = 0;
    for (double v : y) {
      if (v == 0)
        ++zeros;
      else
        CHECK(std::abs(v - 3.0 / (1 - p)) < 1e-6);
    }
    const double share = static_cast<double>(zeros) / static_cast<double>(y.size());
    CHECK(std::abs(share - p) < 0.01);  // 32,768 draws: 4 sigma is under 0.011
  }
}

TEST_CASE("dropout is the identity in eval mode and for p = 0, seeded from the Generator", "[op]") {
  Tensor x = random_normal({2, 3, 5}, 72);
  Generator gen(1);
  CHECK(ops::dropout(x, 0.5, false, gen).to_vector() == x.to_vector());
  CHECK(ops::dropout(x, 0.0, true, gen).to_vector() == x.to_vector());
  Generator a(9), b(9);
  auto first = ops::dropout(x, 0.5, true, a).to_vector();
  CHECK(first == ops::dropout(x, 0.5, true, b).to_vector());
  CHECK(first != ops::dropout(x, 0.5, true, a).to_vector());  // the next call draws a new mask
}

TEST_CASE("dropout's backward applies the forward's mask", "[op]") {
  Tensor x = random_normal({3, 4, 6}, 73);
  x.set_requires_grad(true);
  Generator gen(3);
  Tensor y = ops::dropout(x, 0.5, true, gen);
  run_backward({y}, {ops::full(y.shape(), 1.0, DType::float64)}, false);
  auto yv = y.to_vector(), gv = x.grad().to_vector(), xv = x.to_vector();
  for (std::size_t i = 0; i < yv.size(); ++i) CHECK(gv[i] == (yv[i] == 0 && xv[i] != 0 ? 0.0 : 2.0));
}

TEST_CASE("dropout rejects bad arguments naming op and problem", "[op]") {
  Generator gen(0);
  REQUIRE_THROWS_WITH(ops::dropout(random_normal({2, 2}, 74), 1.5, true, gen),
                      Catch::Contains("dropout") && Catch::Contains("p must be in [0, 1]"));
  REQUIRE_THROWS_WITH(ops::dropout(Tensor(), 0.5, true, gen),
                      Catch::Contains("dropout") && Catch::Contains("undefined"));
}
