// ResNet generator (pix2pix) and the CycleGAN pair: shapes, paths, residual structure, seeds.
#include <catch2/catch.hpp>

#include "engine/autograd/grad_mode.hpp"
#include "engine/nn/init.hpp"
#include "models/resnet_generator.hpp"
#include "tests/models/model_checks.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using namespace revgan::models;

namespace {

ResnetGeneratorOptions small_options() {
  ResnetGeneratorOptions o;
  o.input_nc = 3;
  o.output_nc = 1;
  o.ngf = 4;
  o.depth = 2;
  o.seed = 21;
  return o;
}

}  // namespace

TEST_CASE("ResnetGenerator keeps the image size", "[model]") {
  ResnetGenerator g(small_options());
  NoGradScope no_grad;
  CHECK(g.forward(test::random_normal({1, 3, 128, 128}, 1, DType::float32)).shape() == Shape{1, 1, 128, 128});
  CHECK(g.forward(test::random_normal({1, 3, 132, 100}, 2, DType::float32)).shape() == Shape{1, 1, 132, 100});
  REQUIRE_THROWS_WITH(g.forward(test::random_normal({1, 1, 16, 16}, 3, DType::float32)),
                      Catch::Contains("ResnetGenerator") && Catch::Contains("[N, 3, H, W]"));
}

TEST_CASE("ResnetGenerator blocks are residual branches on 4K channels", "[model]") {
  ResnetGenerator g(small_options());
  CHECK(g.parameter("enc.1.weight").shape() == Shape{4, 3, 7, 7});
  CHECK(g.parameter("blocks.0.f.1.weight").shape() == Shape{16, 16, 3, 3});
  CHECK(g.parameter("blocks.1.f.5.weight").shape() == Shape{16, 16, 3, 3});
  CHECK(g.parameter("dec.7.weight").shape() == Shape{1, 4, 7, 7});
  // With the branch's weights zeroed (its IN then outputs 0) a block is the identity.
  auto& block = g.submodule("blocks.0");
  nn::init_zeros(block.submodule("f"));
  NoGradScope no_grad;
  Tensor h = test::random_normal({1, 16, 8, 8}, 4, DType::float32);
  CHECK(block.forward(h).to_vector() == h.to_vector());
}

TEST_CASE("CycleGanGenerators: two independent generators from one seed", "[model]") {
  ResnetGeneratorOptions o = small_options();
  CycleGanGenerators a(o), b(o);
  CHECK(test::differing_parameters(a, b).empty());
  CHECK(a.parameter("g_xy.enc.1.weight").shape() == Shape{4, 3, 7, 7});
  CHECK(a.parameter("g_yx.enc.1.weight").shape() == Shape{4, 1, 7, 7});
  // g_xy draws first, exactly as a lone generator with the same seed.
  CHECK(test::differing_parameters(a.xy(), ResnetGenerator(o)).empty());
  CHECK(a.parameter("g_xy.blocks.0.f.1.weight").to_vector() != a.parameter("g_yx.blocks.0.f.1.weight").to_vector());
  NoGradScope no_grad;
  CHECK(a.g_xy(test::random_normal({1, 3, 16, 16}, 5, DType::float32)).shape() == Shape{1, 1, 16, 16});
  CHECK(a.g_yx(test::random_normal({1, 1, 16, 16}, 6, DType::float32)).shape() == Shape{1, 3, 16, 16});
}
