// Padding and tiling: mirror padding of any size, tile plans that cover with the requested
// overlap, exact agreement for a local network, close agreement for a RevGAN, odd sizes.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/autograd/grad_mode.hpp"
#include "engine/nn/init.hpp"
#include "engine/nn/layers.hpp"
#include "training/model_factory.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/tools/tool_test_util.hpp"
#include "tools/infer/tiling.hpp"
#include "tools/infer/translator.hpp"

using namespace revgan;

namespace {

double max_abs_diff(const Tensor& a, const Tensor& b) {
  const auto x = a.to_vector(), y = b.to_vector();
  REQUIRE(x.size() == y.size());
  double m = 0;
  for (std::size_t i = 0; i < x.size(); ++i) m = std::max(m, std::abs(x[i] - y[i]));
  return m;
}

double mean_abs_diff(const Tensor& a, const Tensor& b) {
  const auto x = a.to_vector(), y = b.to_vector();
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) s += std::abs(x[i] - y[i]);
  return s / static_cast<double>(x.size());
}

infer::ImageFn module_fn(nn::Module& m) {
  return [&m](const Tensor& x) {
    NoGradScope no_grad;
    return m.forward(x);
  };
}

}  // namespace

TEST_CASE("mirror_pad reflects without repeating the edge, also past the image size", "[tool]") {
  const Tensor x = test::from_values({1, 1, 1, 3}, {1, 2, 3}, DType::float32);
  const Tensor p = infer::mirror_pad(x, 0, 0, 2, 6);
  REQUIRE(p.to_vector() == std::vector<double>{3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1});
  const Tensor one = test::from_values({1, 1, 1, 1}, {5}, DType::float32);
  REQUIRE(infer::mirror_pad(one, 1, 2, 0, 0).to_vector() == std::vector<double>{5, 5, 5, 5});
}

TEST_CASE("tile plans cover the image with at least the requested overlap", "[tool]") {
  REQUIRE(infer::tile_starts(40, 64, 16, 4) == std::vector<int64_t>{0});
  for (const int64_t extent : {68, 100, 128, 300, 1028}) {
    const auto starts = infer::tile_starts(extent, 64, 16, 4);
    REQUIRE(starts.front() == 0);
    REQUIRE(starts.back() == extent - 64);
    for (std::size_t i = 1; i < starts.size(); ++i) {
      REQUIRE(starts[i] % 4 == 0);
      REQUIRE(starts[i] - starts[i - 1] <= 64 - 16);
      REQUIRE(starts[i] > starts[i - 1]);
    }
  }
  REQUIRE(infer::feather_weight(0, 16) == 0.0);   // inside the margin
  REQUIRE(infer::feather_weight(12, 16) == 1.0);  // past the ramp
  REQUIRE(infer::feather_weight(6, 16) > 0.0);
}

TEST_CASE("tiled inference equals whole-image inference for a local network", "[tool]") {
  // Receptive radius 1 is inside the blend margin (overlap / 4), so every output pixel comes
  // from tiles that saw its full neighbourhood: the result must match to rounding.
  auto net = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::ReflectionPad>(1), std::make_shared<nn::Conv>(2, 3, 2, 3), std::make_shared<nn::Tanh>()});
  Generator gen(5);
  nn::init_normal(*net, gen, 0.3);
  const Tensor x = test::random_uniform({1, 3, 37, 45}, 9, -1, 1, DType::float32);
  infer::TileOptions o;
  o.tile = 24;
  o.overlap = 8;
  o.batch = 3;
  const Tensor whole = infer::run_whole(x, module_fn(*net), o);
  const Tensor tiled = infer::run_tiled(x, module_fn(*net), o);
  REQUIRE(tiled.shape() == Shape({1, 2, 37, 45}));
  REQUIRE(max_abs_diff(whole, tiled) < 1e-5);
}

TEST_CASE("tiled RevGAN inference on 4 tiles stays close to whole-image inference", "[tool]") {
  auto generators = training::build_generators(training::resolve_options(test::tiny_revgan_options()));
  // A stationary input (uniform noise), so that each tile's instance-norm statistics are close
  // to the whole image's; the remaining difference is the tiles' own normalisation.
  const Tensor x = test::random_uniform({1, 3, 96, 96}, 4, -1, 1, DType::float32);
  infer::TileOptions o;
  o.tile = 64;
  o.overlap = 32;
  REQUIRE(infer::tile_starts(infer::padded_extent(96, o), 64, 32, 4).size() == 2);  // 2 x 2 tiles
  const infer::ImageFn fn = [&](const Tensor& t) {
    NoGradScope no_grad;
    return generators->g_xy(t);
  };
  const Tensor whole = infer::run_whole(x, fn, o);
  const Tensor tiled = infer::run_tiled(x, fn, o);
  REQUIRE(tiled.shape() == whole.shape());
  INFO("max " << max_abs_diff(whole, tiled) << ", mean " << mean_abs_diff(whole, tiled));
  REQUIRE(mean_abs_diff(whole, tiled) < 0.03);  // measured 0.015
  REQUIRE(max_abs_diff(whole, tiled) < 0.25);  // measured 0.13
}

TEST_CASE("translating an odd-sized image returns that size, both directions", "[tool]") {
  const training::ResolvedOptions options = training::resolve_options(test::tiny_revgan_options());
  for (const bool x_to_y : {true, false}) {
    const infer::Translator t(training::build_generators(options), options.get(), x_to_y, Device::cpu());
    const data::Image in = test::random_image(37, 23, 3, 1);
    infer::TileOptions tiles;
    const data::Image out = t.translate(in, tiles);
    REQUIRE(out.width == 37);
    REQUIRE(out.height == 23);
    REQUIRE(out.channels == 3);
    // Gray input is converted to the generator's channels; tiny images are mirrored up to size.
    const data::Image small = t.translate(test::random_image(3, 2, 1, 2), tiles);
    REQUIRE((small.width == 3 && small.height == 2));
    tiles.tile = 16;  // 37 x 23 now needs 3 x 2 tiles
    REQUIRE(t.translate(in, tiles).width == 37);
  }
}
