// Finite-difference checks of add, sub, mul, scale (float64).
#include <catch2/catch.hpp>

#include "engine/ops/arithmetic.hpp"
#include "tests/support/coverage.hpp"
#include "tests/support/gradcheck.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using test::gradcheck;
using test::random_normal;

REVGAN_GRADCHECK_COVERS(ops::OpKind::add, ops::OpKind::sub, ops::OpKind::mul, ops::OpKind::scale);

TEST_CASE("gradcheck add sub mul scale", "[op][grad]") {
  for (Shape shape : {Shape{5}, Shape{2, 3, 4, 5}, Shape{1, 2, 3, 4, 5}}) {
    INFO(shape.str());
    std::vector<Tensor> in{random_normal(shape, 1), random_normal(shape, 2)};
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::add(x[0], x[1]); }, in, {true, true}));
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::sub(x[0], x[1]); }, in, {true, true}));
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::mul(x[0], x[1]); }, in, {true, true}));
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::scale(x[0], -0.75); }, in, {true, false}));
  }
}

TEST_CASE("binary ops reject mismatched shapes naming the op", "[op]") {
  Tensor a = random_normal({2, 3}, 1), b = random_normal({3, 2}, 2);
  REQUIRE_THROWS_WITH(ops::add(a, b), Catch::Contains("add") && Catch::Contains("[3, 2]"));
}
