// RevGAN 3D generator set: up-sampled output size, identity core at init (bitwise), reversibility
// after training-like perturbation, parameter shapes and seeds; the super-resolution variants
// (global residual: the untrained model is its input; no instance norm).
#include <catch2/catch.hpp>

#include "engine/autograd/grad_mode.hpp"
#include "engine/nn/init.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/upsample.hpp"
#include "models/revgan3d.hpp"
#include "tests/models/model_checks.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;
using namespace revgan::models;
using reversible::Mode;

namespace {

RevGan3dOptions small_options() {
  RevGan3dOptions o;
  o.input_nc = 6;  // the paper's volumes have 6 channels
  o.output_nc = 6;
  o.ngf = 4;
  o.depth = 2;
  o.output_size = {24, 24, 24};
  o.seed = 31;
  return o;
}

}  // namespace

TEST_CASE("RevGan3d up-samples 12^3 to 24^3 and keeps that size", "[model]") {
  RevGan3d g(small_options());
  NoGradScope no_grad;
  Tensor lr = test::random_normal({1, 6, 12, 12, 12}, 1, DType::float32);
  CHECK(g.g_xy(lr).shape() == Shape{1, 6, 24, 24, 24});
  CHECK(g.g_yx(lr).shape() == Shape{1, 6, 24, 24, 24});
  // An input already on the grid is used as is, with or without a target size.
  Tensor hr = ops::upsample_linear(lr, {24, 24, 24});
  CHECK(g.g_xy(lr).to_vector() == g.g_xy(hr).to_vector());
  CHECK(g.g_xy(hr, {}).to_vector() == g.g_xy(hr).to_vector());
  // The size may be passed per call instead.
  CHECK(g.g_xy(lr, {16, 12, 8}).shape() == Shape{1, 6, 16, 12, 8});
}

TEST_CASE("RevGan3d core is exactly the identity at initialisation", "[model]") {
  RevGan3dOptions o = small_options();
  o.ngf = 8;
  o.depth = 3;
  for (Mode mode : {Mode::stored, Mode::memory_saving}) {
    o.mode = mode;
    RevGan3d g(o);
    Tensor h = test::random_normal({1, 8, 6, 5, 4}, 2, DType::float32);
    CHECK(g.core().forward(h).to_vector() == h.to_vector());
    CHECK(g.core().inverse(h).to_vector() == h.to_vector());
  }
  RevGan3d g(o);
  for (auto& [path, t] : g.core().named_parameters()) {
    INFO(path);
    const bool last_conv = path.find(".5.") != std::string::npos;
    bool all_zero = true;
    for (double v : t.to_vector()) all_zero = all_zero && v == 0.0;
    CHECK(all_zero == (last_conv || nn::is_bias(path)));
  }
}

TEST_CASE("RevGan3d core inverse undoes the forward once F and G are non-zero", "[model]") {
  RevGan3dOptions o = small_options();
  o.dtype = DType::float64;
  o.ngf = 8;
  o.depth = 3;
  RevGan3d g(o);
  Generator gen(5);
  nn::init_normal(g.core(), gen, 0.2);  // leave the identity start
  Tensor h = test::random_normal({1, 8, 5, 5, 5}, 3);
  Tensor y = g.core().forward(h);
  CHECK(test::compare(y, h, 1.0).max_abs_error > 0.1);
  REVGAN_REQUIRE_CLOSE(test::compare(g.core().inverse(y), h, 1e-13));
}

TEST_CASE("RevGan3d layers, paths and seeds", "[model]") {
  RevGan3dOptions o = small_options();
  o.input_nc = 1;
  o.output_nc = 2;
  RevGan3d a(o), b(o);
  CHECK(test::differing_parameters(a, b).empty());
  CHECK(a.parameter("enc_x.1.weight").shape() == Shape{4, 1, 3, 3, 3});
  CHECK(a.parameter("enc_y.1.weight").shape() == Shape{4, 2, 3, 3, 3});
  CHECK(a.parameter("core.0.f.1.weight").shape() == Shape{2, 2, 3, 3, 3});
  CHECK(a.parameter("core.1.g.5.bias").shape() == Shape{2});
  CHECK(a.parameter("dec_y.1.weight").shape() == Shape{2, 4, 3, 3, 3});
  CHECK(a.parameter("dec_x.1.weight").shape() == Shape{1, 4, 3, 3, 3});
  // stems + heads + R blocks of two branches with two 3x3x3 convs on K/2 channels each.
  const int64_t k = 4, r = 2;
  const int64_t stems = (1 * 27 * k + k) + (2 * 27 * k + k);
  const int64_t heads = (k * 27 * 1 + 1) + (k * 27 * 2 + 2);
  const int64_t block = 4 * ((k / 2) * (k / 2) * 27 + k / 2);
  CHECK(a.parameter_count() == stems + heads + r * block);
  o.seed = 32;
  CHECK(!test::differing_parameters(a, RevGan3d(o)).empty());

  o.ngf = 5;
  REQUIRE_THROWS_WITH(RevGan3d(o), Catch::Contains("even"));
  NoGradScope no_grad;
  REQUIRE_THROWS_WITH(a.g_xy(test::random_normal({1, 2, 4, 4, 4}, 4, DType::float32)),
                      Catch::Contains("g_xy") && Catch::Contains("[N, 1, D, H, W]"));
  REQUIRE_THROWS_WITH(a.g_xy(test::random_normal({1, 1, 4, 4, 4}, 4, DType::float32), {8, 8}),
                      Catch::Contains("3 values"));
}

TEST_CASE("RevGan3d super-resolution variants: global residual starts as the identity, no-norm keeps the counts",
          "[model]") {
  RevGan3dOptions o = small_options();
  o.input_nc = 1;
  o.output_nc = 1;
  const int64_t paper_count = RevGan3d(o).parameter_count();
  o.global_residual = true;
  o.instance_norm = false;
  RevGan3d g(o);
  // Identity stands where IN was: same parameter names and counts as the paper's generator.
  CHECK(g.parameter_count() == paper_count);
  NoGradScope no_grad;
  // Untrained, both directions return their on-grid input bit for bit (the interpolation).
  const Tensor hr = test::random_normal({1, 1, 24, 24, 24}, 7, DType::float32);
  CHECK(g.g_xy(hr).to_vector() == hr.to_vector());
  CHECK(g.g_yx(hr).to_vector() == hr.to_vector());
  // A low-resolution input comes back as its trilinear up-sampling.
  const Tensor lr = test::random_normal({1, 1, 12, 12, 12}, 8, DType::float32);
  CHECK(g.g_xy(lr).to_vector() == ops::upsample_linear(lr, {24, 24, 24}).to_vector());
  // The paper's IN after the stem cancels a brightness shift of the input (each patch is seen
  // relative to its own mean); without IN the shift reaches the output.
  const Tensor shifted = ops::add(hr, ops::full(hr.shape(), 3.0));
  for (bool instance_norm : {true, false}) {
    INFO("instance_norm " << instance_norm);
    o.global_residual = false;
    o.instance_norm = instance_norm;
    RevGan3d plain(o);
    Generator gen(9);
    nn::init_normal(plain, gen, 0.2);  // non-zero core and heads
    const double change = test::compare(plain.g_xy(shifted), plain.g_xy(hr), 1.0).max_abs_error;
    CHECK((instance_norm ? change < 1e-3 : change > 0.1));
  }
  o.global_residual = true;
  o.output_nc = 2;
  REQUIRE_THROWS_WITH(RevGan3d(o), Catch::Contains("global residual"));
}
