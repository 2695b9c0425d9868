// RevGAN 2D generator set: output shapes in both directions, parameter paths and shapes,
// seeded init, reversibility of the shared core, and agreement of the two executors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "engine/autograd/grad_mode.hpp"
#include "engine/nn/init.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/reduce.hpp"
#include "models/revgan2d.hpp"
#include "tests/models/model_checks.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;
using namespace revgan::models;
using reversible::Mode;

namespace {

RevGan2dOptions small_options(DType dtype = DType::float32) {
  RevGan2dOptions o;
  o.input_nc = 3;
  o.output_nc = 2;  // unequal, so a swapped encoder or decoder shows up as a shape error
  o.ngf = 4;
  o.depth = 2;
  o.dtype = dtype;
  o.seed = 11;
  return o;
}

}  // namespace

TEST_CASE("RevGan2d maps images to the same size in both directions", "[model]") {
  RevGan2d g(small_options());
  NoGradScope no_grad;
  struct Size {
    int64_t h, w;
  };
  for (const Size& s : {Size{128, 128}, Size{256, 256}, Size{132, 100}}) {
    INFO(s.h << "x" << s.w);
    Tensor x = test::random_normal({1, 3, s.h, s.w}, 1, DType::float32);
    Tensor y = test::random_normal({1, 2, s.h, s.w}, 2, DType::float32);
    Tensor fy = g.g_xy(x);
    Tensor fx = g.g_yx(y);
    CHECK(fy.shape() == Shape{1, 2, s.h, s.w});
    CHECK(fx.shape() == Shape{1, 3, s.h, s.w});
    double peak = 0;
    for (double v : fy.to_vector()) peak = std::max(peak, std::abs(v));
    CHECK(peak <= 1.0);  // tanh output
  }
  // Batches pass through.
  CHECK(g.g_xy(test::random_normal({2, 3, 16, 12}, 3, DType::float32)).shape() == Shape{2, 2, 16, 12});
}

TEST_CASE("RevGan2d parameter paths follow the reference layer order", "[model]") {
  RevGan2d g(small_options());
  const int64_t k = 4;
  CHECK(g.parameter("enc_x.1.weight").shape() == Shape{k, 3, 7, 7});
  CHECK(g.parameter("enc_y.1.weight").shape() == Shape{k, 2, 7, 7});
  CHECK(g.parameter("enc_x.4.weight").shape() == Shape{2 * k, k, 3, 3});
  CHECK(g.parameter("enc_x.7.weight").shape() == Shape{4 * k, 2 * k, 3, 3});
  CHECK(g.parameter("core.0.f.1.weight").shape() == Shape{2 * k, 2 * k, 3, 3});
  CHECK(g.parameter("core.1.g.5.bias").shape() == Shape{2 * k});
  CHECK(g.parameter("dec_y.0.weight").shape() == Shape{4 * k, 2 * k, 3, 3});  // transposed: [in, out, ...]
  CHECK(g.parameter("dec_y.3.weight").shape() == Shape{2 * k, k, 3, 3});
  CHECK(g.parameter("dec_y.7.weight").shape() == Shape{2, k, 7, 7});
  CHECK(g.parameter("dec_x.7.weight").shape() == Shape{3, k, 7, 7});
  CHECK(g.core().depth() == 2);
  CHECK_THROWS(g.parameter("core.2.f.1.weight"));
}

TEST_CASE("RevGan2d init: N(0, 0.02) weights, zero biases, fixed by the seed", "[model]") {
  RevGan2dOptions o = small_options();
  o.ngf = 16;  // enough weights for the sample statistics
  RevGan2d a(o), b(o);
  CHECK(test::differing_parameters(a, b).empty());
  o.seed = 12;
  RevGan2d c(o);
  std::vector<std::string> weights;  // a new seed redraws every weight; biases stay 0
  for (auto& [path, t] : a.named_parameters())
    if (!nn::is_bias(path)) weights.push_back(path);
  CHECK(test::differing_parameters(a, c) == weights);
  double sum = 0, sum_sq = 0;
  int64_t n = 0;
  for (auto& [path, t] : a.named_parameters()) {
    auto v = t.to_vector();
    if (nn::is_bias(path)) {
      for (double e : v) REQUIRE(e == 0.0);
      continue;
    }
    for (double e : v) sum += e, sum_sq += e * e, ++n;
  }
  const double mean = sum / n, sd = std::sqrt(sum_sq / n - mean * mean);
  CHECK(std::abs(mean) < 1e-3);
  CHECK(sd == Approx(0.02).epsilon(0.02));
}

TEST_CASE("RevGan2d core inverse undoes the forward", "[model]") {
  for (DType dtype : {DType::float32, DType::float64}) {
    for (Mode mode : {Mode::stored, Mode::memory_saving}) {
      RevGan2dOptions o = small_options(dtype);
      o.depth = 4;
      o.mode = mode;
      RevGan2d g(o);
      Tensor h = test::random_normal({1, 16, 12, 10}, 5, dtype);
      Tensor fwd = g.core().forward(h);
      Tensor back = g.core().inverse(fwd);
      INFO(dtype_name(dtype) << (mode == Mode::stored ? " stored" : " memory_saving"));
      CHECK(test::compare(fwd, h, 1.0).max_abs_error > 0.1);  // the core is not the identity
      REVGAN_REQUIRE_CLOSE(test::compare(back, h, dtype == DType::float32 ? 1e-5 : 1e-13));
      // And the other way round.
      REVGAN_REQUIRE_CLOSE(test::compare(g.core().forward(g.core().inverse(h)), h, dtype == DType::float32 ? 1e-5 : 1e-13));
    }
  }
}

TEST_CASE("RevGan2d G_YX runs the shared core backwards", "[model]") {
  RevGan2d g(small_options());
  NoGradScope no_grad;
  Tensor y = test::random_normal({1, 2, 16, 16}, 6, DType::float32);
  Tensor h = g.enc_y().forward(y);
  CHECK(g.g_yx(y).to_vector() == g.dec_x().forward(g.core().inverse(h)).to_vector());
  CHECK(g.g_yx(y).to_vector() != g.dec_x().forward(g.core().forward(h)).to_vector());
  Tensor x = test::random_normal({1, 3, 16, 16}, 7, DType::float32);
  CHECK(g.g_xy(x).to_vector() == g.dec_y().forward(g.core().forward(g.enc_x().forward(x))).to_vector());
}

TEST_CASE("RevGan2d executors agree on outputs and gradients, switched at run time", "[model]") {
  RevGan2d g(small_options(DType::float64));
  Tensor x = test::random_normal({1, 3, 16, 12}, 8);
  Tensor y = test::random_normal({1, 2, 16, 12}, 9);
  auto run = [&](Mode mode) {
    g.set_mode(mode);
    REQUIRE(g.mode() == mode);
    g.zero_grad();
    Tensor fy = g.g_xy(x), fx = g.g_yx(y);
    ops::add(ops::mean(ops::mul(fy, fy)), ops::mean(fx)).backward();
    std::vector<double> grads;
    for (auto& [path, t] : g.named_parameters()) {
      REQUIRE(t.grad().defined());
      auto v = t.grad().to_vector();
      grads.insert(grads.end(), v.begin(), v.end());
    }
    return std::pair{ops::add(ops::sum(fy), ops::sum(fx)).item(), grads};
  };
  auto [out_stored, grads_stored] = run(Mode::stored);
  auto [out_saving, grads_saving] = run(Mode::memory_saving);
  CHECK(out_saving == Approx(out_stored).epsilon(1e-12));
  REVGAN_REQUIRE_CLOSE(test::compare(grads_saving, grads_stored, 1e-9));
}

TEST_CASE("RevGan2d rejects bad options and inputs naming the problem", "[model]") {
  RevGan2dOptions o = small_options();
  o.ngf = 0;
  REQUIRE_THROWS_WITH(RevGan2d(o), Catch::Contains("RevGan2d") && Catch::Contains("positive"));
  o = small_options();
  o.depth = -1;
  REQUIRE_THROWS_WITH(RevGan2d(o), Catch::Contains("depth"));
  RevGan2d g(small_options());
  NoGradScope no_grad;
  REQUIRE_THROWS_WITH(g.g_xy(test::random_normal({1, 2, 16, 16}, 10, DType::float32)),
                      Catch::Contains("g_xy") && Catch::Contains("[N, 3, H, W]"));
  REQUIRE_THROWS_WITH(g.g_yx(test::random_normal({1, 2, 18, 16}, 10, DType::float32)),
                      Catch::Contains("g_yx") && Catch::Contains("multiples of 4") && Catch::Contains("18x16"));
}
