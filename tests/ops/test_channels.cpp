// Channel concat / split / slice: float64 finite-difference checks (2 and 3 parts, unused
// split outputs, partly differentiable concat), round trips, and argument errors.
#include <catch2/catch.hpp>

#include "engine/ops/channels.hpp"
#include "tests/support/coverage.hpp"
#include "tests/support/gradcheck.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using test::gradcheck;
using test::MultiFunction;
using test::random_normal;

REVGAN_GRADCHECK_COVERS(ops::OpKind::concat, ops::OpKind::split);

TEST_CASE("gradcheck concat channels", "[op][grad]") {
  SECTION("2 parts, batch 2") {
    std::vector<Tensor> in{random_normal({2, 1, 2, 3}, 71), random_normal({2, 2, 2, 3}, 72)};
    auto f = [](auto& x) { return ops::concat_channels({x[0], x[1]}); };
    REVGAN_REQUIRE_GRADCHECK(gradcheck(f, in, {true, true}));
    REVGAN_REQUIRE_GRADCHECK(gradcheck(f, in, {false, true}));
  }
  SECTION("3 parts, 3D") {
    std::vector<Tensor> in{random_normal({1, 1, 2, 2, 3}, 73), random_normal({1, 2, 2, 2, 3}, 74),
                           random_normal({1, 1, 2, 2, 3}, 75)};
    REVGAN_REQUIRE_GRADCHECK(gradcheck(
        [](auto& x) {
          return ops::concat_channels({x[0], x[1], x[2]});
        },
        in, {true, true, true}));
  }
  SECTION("1 part and a repeated part") {
    std::vector<Tensor> in{random_normal({2, 2, 3}, 76)};
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::concat_channels({x[0]}); }, in, {true}));
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::concat_channels({x[0], x[0]}); }, in, {true}));
  }
}

TEST_CASE("gradcheck split and slice channels", "[op][grad]") {
  SECTION("split into 2, batch 2") {
    std::vector<Tensor> in{random_normal({2, 3, 2, 3}, 81)};
    REVGAN_REQUIRE_GRADCHECK(gradcheck(MultiFunction([](auto& x) {
                                         return ops::split_channels(x[0], {1, 2});
                                       }),
                                       in, {true}));
  }
  SECTION("split into 3, 3D") {
    std::vector<Tensor> in{random_normal({1, 4, 2, 2, 2}, 82)};
    REVGAN_REQUIRE_GRADCHECK(gradcheck(MultiFunction([](auto& x) {
                                         return ops::split_channels(x[0], {1, 2, 1});
                                       }),
                                       in, {true}));
  }
  SECTION("split with unused outputs (zero-filled by the engine)") {
    std::vector<Tensor> in{random_normal({2, 4, 3}, 83)};
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::split_channels(x[0], {1, 2, 1})[1]; }, in, {true}));
  }
  SECTION("slice") {
    std::vector<Tensor> in{random_normal({2, 4, 2, 3}, 84)};
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::slice_channels(x[0], 1, 2); }, in, {true}));
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::slice_channels(x[0], 3, 1); }, in, {true}));
  }
}

TEST_CASE("split, slice and concat round-trip values", "[op]") {
  Tensor x = random_normal({2, 5, 3, 2}, 91);
  auto parts = ops::split_channels(x, {2, 1, 2});
  REQUIRE(parts.size() == 3);
  CHECK(parts[1].shape() == Shape{2, 1, 3, 2});
  CHECK(parts[1].to_vector() == x.narrow_channels(2, 1).to_vector());
  CHECK(ops::slice_channels(x, 1, 3).to_vector() == x.narrow_channels(1, 3).to_vector());
  Tensor back = ops::concat_channels(parts);
  CHECK(back.shape() == x.shape());
  CHECK(back.to_vector() == x.to_vector());
  CHECK(!back.shares_storage_with(x));
}

TEST_CASE("channel ops reject bad arguments naming op and problem", "[op]") {
  Tensor a = random_normal({2, 1, 3, 4}, 92);
  REQUIRE_THROWS_WITH(ops::concat_channels({}), Catch::Contains("concat") && Catch::Contains("at least one part"));
  REQUIRE_THROWS_WITH(ops::concat_channels({a, a, random_normal({2, 2, 3, 5}, 93)}),
                      Catch::Contains("concat") && Catch::Contains("part 2") && Catch::Contains("[2, 2, 3, 5]") &&
                          Catch::Contains("[2, 1, 3, 4]"));
  REQUIRE_THROWS_WITH(ops::concat_channels({a, random_normal({1, 1, 3, 4}, 94)}),
                      Catch::Contains("part 1") && Catch::Contains("[1, 1, 3, 4]"));
  REQUIRE_THROWS_WITH(ops::concat_channels({a, random_normal({2, 1, 3, 4}, 95, DType::float32)}),
                      Catch::Contains("concat") && Catch::Contains("parts[1]") && Catch::Contains("float32"));
  REQUIRE_THROWS_WITH(ops::concat_channels({a, Tensor()}), Catch::Contains("concat") && Catch::Contains("parts[1]"));

  Tensor x = random_normal({1, 4, 3}, 96);
  REQUIRE_THROWS_WITH(ops::split_channels(x, {1, 2}),
                      Catch::Contains("split") && Catch::Contains("sum to 3") && Catch::Contains("4 channels"));
  REQUIRE_THROWS_WITH(ops::split_channels(x, {4, 0}),
                      Catch::Contains("split") && Catch::Contains("positive") && Catch::Contains("index 1"));
  REQUIRE_THROWS_WITH(ops::split_channels(x, {}), Catch::Contains("split") && Catch::Contains("'sizes'"));
  REQUIRE_THROWS_WITH(ops::slice_channels(x, 3, 2),
                      Catch::Contains("slice_channels") && Catch::Contains("[3, 5)") && Catch::Contains("[1, 4, 3]"));
  REQUIRE_THROWS_WITH(ops::slice_channels(x, -1, 1), Catch::Contains("slice_channels"));
  REQUIRE_THROWS_WITH(ops::slice_channels(random_normal({4}, 97), 0, 1),
                      Catch::Contains("split") && Catch::Contains("rank 2 to 5"));
}
