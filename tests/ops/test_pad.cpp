// Reflection / replication padding: float64 finite-difference checks (2D, 3D, asymmetric,
// pad = size - 1, batches), forward values on a tiny case, argument errors, saved memory.
#include <catch2/catch.hpp>

#include "engine/memory/allocator.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/pad.hpp"
#include "tests/support/coverage.hpp"
#include "tests/support/gradcheck.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using test::gradcheck;
using test::random_normal;

REVGAN_GRADCHECK_COVERS(ops::OpKind::reflection_pad, ops::OpKind::replication_pad);

namespace {

struct PadCase {
  Shape shape;
  std::vector<int64_t> before, after;
};

void check_both_modes(const PadCase& c, uint64_t seed) {
  INFO("x " << c.shape.str());
  std::vector<Tensor> in{random_normal(c.shape, seed)};
  REVGAN_REQUIRE_GRADCHECK(
      gradcheck([&](auto& x) { return ops::reflection_pad(x[0], c.before, c.after); }, in, {true}));
  REVGAN_REQUIRE_GRADCHECK(
      gradcheck([&](auto& x) { return ops::replication_pad(x[0], c.before, c.after); }, in, {true}));
}

}  // namespace

TEST_CASE("gradcheck reflection and replication pad 2D", "[op][grad]") {
  SECTION("symmetric") {
    check_both_modes({{1, 2, 4, 5}, {2}, {2}}, 11);
  }
  SECTION("asymmetric per axis") {
    check_both_modes({{1, 2, 4, 5}, {1, 3}, {3, 0}}, 12);
  }
  SECTION("padding = size - 1, batch 2") {
    check_both_modes({{2, 1, 4, 5}, {3, 4}, {3, 4}}, 13);
  }
  SECTION("single-value overloads") {
    std::vector<Tensor> in{random_normal({2, 2, 3, 3}, 14)};
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::reflection_pad(x[0], 2); }, in, {true}));
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::replication_pad(x[0], 3); }, in, {true}));
  }
}

TEST_CASE("gradcheck reflection and replication pad 3D", "[op][grad]") {
  SECTION("symmetric") {
    check_both_modes({{1, 1, 3, 4, 5}, {1}, {1}}, 21);
  }
  SECTION("asymmetric, padding = size - 1 on D") {
    check_both_modes({{1, 2, 3, 4, 3}, {2, 0, 1}, {1, 3, 2}}, 22);
  }
  SECTION("batch 2") {
    check_both_modes({{2, 1, 2, 3, 3}, {1, 2, 2}, {0, 1, 2}}, 23);
  }
}

TEST_CASE("pad forward values on one row", "[op]") {
  Tensor x = test::from_values({1, 1, 1, 3}, {1, 2, 3});
  CHECK(ops::reflection_pad(x, {0, 2}, {0, 2}).to_vector() == std::vector<double>{3, 2, 1, 2, 3, 2, 1});
  CHECK(ops::replication_pad(x, {0, 2}, {0, 1}).to_vector() == std::vector<double>{1, 1, 1, 2, 3, 3});
  CHECK(ops::reflection_pad(x, {0, 0}, {0, 0}).to_vector() == std::vector<double>{1, 2, 3});
  Tensor y = ops::replication_pad(test::from_values({1, 1, 2, 1, 1}, {4, 5}), {1, 0, 0}, {0, 0, 2});
  CHECK(y.shape() == Shape{1, 1, 3, 1, 3});
  CHECK(y.to_vector() == std::vector<double>{4, 4, 4, 4, 4, 4, 5, 5, 5});
}

TEST_CASE("pad rejects bad arguments naming op and problem", "[op]") {
  Tensor x = random_normal({1, 2, 4, 5}, 31);
  REQUIRE_THROWS_WITH(ops::reflection_pad(x, {4, 1}, {0, 0}),
                      Catch::Contains("reflection_pad") && Catch::Contains("axis H") && Catch::Contains("4 before") &&
                          Catch::Contains("size 4"));
  REQUIRE_THROWS_WITH(ops::reflection_pad(x, 5),
                      Catch::Contains("reflection_pad") && Catch::Contains("axis H") && Catch::Contains("size 4"));
  REQUIRE_THROWS_WITH(ops::reflection_pad(x, {0, 0}, {0, 5}),
                      Catch::Contains("axis W") && Catch::Contains("5 after") && Catch::Contains("size 5"));
  REQUIRE_NOTHROW(ops::replication_pad(x, 7));  // replication has no size limit
  REQUIRE_THROWS_WITH(ops::replication_pad(x, {1, -1}, {0, 0}),
                      Catch::Contains("replication_pad") && Catch::Contains("non-negative") && Catch::Contains("-1"));
  REQUIRE_THROWS_WITH(ops::replication_pad(x, {1, 1, 1}, {0}), Catch::Contains("replication_pad") &&
                                                                   Catch::Contains("'pad_before'") &&
                                                                   Catch::Contains("1 or 2 values"));
  REQUIRE_THROWS_WITH(ops::reflection_pad(x, {1}, {}), Catch::Contains("'pad_after'"));
  REQUIRE_THROWS_WITH(ops::reflection_pad(random_normal({3, 4, 5}, 32), 1),
                      Catch::Contains("reflection_pad") && Catch::Contains("rank 4 to 5"));
  REQUIRE_THROWS_WITH(ops::reflection_pad(random_normal({1, 1, 2, 4, 5}, 33), {2, 0, 0}, {0}),
                      Catch::Contains("axis D") && Catch::Contains("size 2"));
}

TEST_CASE("pad's backward node keeps no tensor alive", "[op]") {
  Tensor leaf = random_normal({1, 2, 4, 5}, 41);
  leaf.set_requires_grad(true);
  Tensor x = ops::scale(leaf, 2.0);  // a non-leaf, so only pad's node could hold it
  const auto x_bytes = static_cast<int64_t>(x.nbytes());
  Tensor y = ops::reflection_pad(x, 2);
  const int64_t before = cpu_allocator().stats().live_bytes;
  x = Tensor();
  CHECK(before - cpu_allocator().stats().live_bytes == x_bytes);
  REQUIRE(y.grad_fn() != nullptr);
  y.backward(ops::ones_like(y));
  // x[0, 0] is copied once; x[1, 2] is read 3 times along H and 3 along W.
  CHECK(leaf.grad().to_vector()[0] == 2.0);
  CHECK(leaf.grad().to_vector()[7] == 18.0);
}
