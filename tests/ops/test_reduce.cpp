// Finite-difference checks of sum and mean (float64), their values and argument checks, and
// that the blocked sum is bitwise reproducible across calls and thread counts.
#include <catch2/catch.hpp>

#include <omp.h>

#include <bit>
#include <cstdint>

#include "engine/ops/reduce.hpp"
#include "tests/support/coverage.hpp"
#include "tests/support/gradcheck.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using test::gradcheck;
using test::random_normal;

REVGAN_GRADCHECK_COVERS(ops::OpKind::sum, ops::OpKind::mean);

TEST_CASE("gradcheck sum mean", "[op][grad]") {
  for (Shape shape : {Shape{1}, Shape{7}, Shape{2, 3, 4, 5}, Shape{1, 2, 3, 4, 5}}) {
    INFO(shape.str());
    std::vector<Tensor> in{random_normal(shape, 21)};
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::sum(x[0]); }, in, {true}));
    REVGAN_REQUIRE_GRADCHECK(gradcheck([](auto& x) { return ops::mean(x[0]); }, in, {true}));
  }
}

TEST_CASE("sum and mean values and shape", "[op]") {
  Tensor x = test::from_values({2, 3}, {1, 2, 3, 4, 5, 6}, DType::float32);
  Tensor s = ops::sum(x), m = ops::mean(x);
  REQUIRE(s.shape() == Shape{1});
  REQUIRE(m.shape() == Shape{1});
  REQUIRE(s.dtype() == DType::float32);
  REQUIRE(s.item() == 21.0);
  REQUIRE(m.item() == 3.5);
  // A sum of nothing is 0; only the mean of nothing is an error.
  REQUIRE(ops::sum(Tensor::empty({2, 0}, DType::float64)).item() == 0.0);
}

TEST_CASE("sum and mean gradients are the broadcast upstream value", "[op]") {
  Tensor x = random_normal({3, 5}, 22);
  x.set_requires_grad(true);
  ops::mean(x).backward(test::from_values({1}, {3.0}));
  for (double g : x.grad().to_vector()) REQUIRE(g == Approx(3.0 / 15.0));
  x.zero_grad();
  ops::sum(x).backward();
  for (double g : x.grad().to_vector()) REQUIRE(g == 1.0);
}

TEST_CASE("mean of an empty tensor and undefined inputs throw, naming the op", "[op]") {
  REQUIRE_THROWS_WITH(ops::mean(Tensor::empty({2, 0}, DType::float64)),
                      Catch::Contains("mean") && Catch::Contains("[2, 0]"));
  REQUIRE_THROWS_WITH(ops::sum(Tensor()), Catch::Contains("sum") && Catch::Contains("'x'"));
  REQUIRE_THROWS_WITH(ops::mean(Tensor()), Catch::Contains("mean"));
}

TEST_CASE("sum is bitwise equal across repeated calls and thread counts", "[op]") {
  // Large enough for the parallel path and many blocks, in float32 where order matters most.
  Tensor x = random_normal({3, 7, 101, 97}, 23, DType::float32, 10.0);
  Tensor x64 = x.to(DType::float64);
  const auto bits32 = std::bit_cast<uint32_t>(ops::sum(x).data<float>()[0]);
  const auto bits64 = std::bit_cast<uint64_t>(ops::sum(x64).data<double>()[0]);
  for (int rep = 0; rep < 5; ++rep) {
    REQUIRE(std::bit_cast<uint32_t>(ops::sum(x).data<float>()[0]) == bits32);
    REQUIRE(std::bit_cast<uint64_t>(ops::sum(x64).data<double>()[0]) == bits64);
  }
  const int saved_threads = omp_get_max_threads();
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    INFO("threads " << threads);
    CHECK(std::bit_cast<uint32_t>(ops::sum(x).data<float>()[0]) == bits32);
    CHECK(std::bit_cast<uint64_t>(ops::sum(x64).data<double>()[0]) == bits64);
  }
  omp_set_num_threads(saved_threads);
}
