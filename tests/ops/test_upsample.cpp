// Linear up-sampling: float64 finite-difference checks (2D integer and non-integer scales,
// 3D), forward values against align_corners=False, and argument errors.
#include <catch2/catch.hpp>

#include "engine/ops/upsample.hpp"
#include "tests/support/coverage.hpp"
#include "tests/support/gradcheck.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using test::gradcheck;
using test::random_normal;

REVGAN_GRADCHECK_COVERS(ops::OpKind::upsample_linear);

TEST_CASE("gradcheck upsample linear", "[op][grad]") {
  struct Case {
    Shape shape;
    std::vector<int64_t> size;
  };
  for (const Case& c : {Case{{1, 2, 5, 6}, {10, 12}}, Case{{2, 1, 3, 4}, {7, 5}}, Case{{1, 1, 3, 4, 5}, {6, 8, 10}},
                        Case{{1, 1, 4, 6}, {3, 6}}}) {
    INFO(c.shape.str() << " -> " << c.size.size() << " axes");
    std::vector<Tensor> in{random_normal(c.shape, 61)};
    REVGAN_REQUIRE_GRADCHECK(gradcheck([&](auto& x) { return ops::upsample_linear(x[0], c.size); }, in, {true}));
  }
}

TEST_CASE("upsample linear forward follows align_corners=False", "[op]") {
  // Source coordinates (j + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (past the end).
  Tensor y = ops::upsample_linear(test::from_values({1, 1, 1, 2}, {0, 1}), {1, 4});
  CHECK(y.shape() == Shape{1, 1, 1, 4});
  CHECK(y.to_vector() == std::vector<double>{0, 0.25, 0.75, 1});
  // Same size is the identity.
  Tensor x = random_normal({1, 2, 2, 3, 2}, 62);
  CHECK(ops::upsample_linear(x, {2, 3, 2}).to_vector() == x.to_vector());
}

TEST_CASE("upsample linear rejects bad arguments naming op and problem", "[op]") {
  Tensor x = random_normal({1, 2, 3, 4}, 63);
  REQUIRE_THROWS_WITH(ops::upsample_linear(x, {6, 8, 2}), Catch::Contains("upsample_linear") &&
                                                              Catch::Contains("'size' must hold 2 values") &&
                                                              Catch::Contains("got 3"));
  REQUIRE_THROWS_WITH(ops::upsample_linear(x, {6, 0}),
                      Catch::Contains("upsample_linear") && Catch::Contains("positive") && Catch::Contains("got 0"));
  REQUIRE_THROWS_WITH(ops::upsample_linear(random_normal({2, 3, 4}, 64), {8}),
                      Catch::Contains("upsample_linear") && Catch::Contains("rank 4 to 5"));
}
