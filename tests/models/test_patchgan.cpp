// PatchGAN 2D and 3D: output patch grids, layer schedule, sigmoid flag and input checks; the
// pixel variant (1x1 convs) and the smallest inputs of both.
#include <catch2/catch.hpp>

#include "engine/autograd/grad_mode.hpp"
#include "models/patchgan.hpp"
#include "tests/models/model_checks.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using namespace revgan::models;

TEST_CASE("2D PatchGAN gives 14x14 patches at 128 and 30x30 at 256", "[model]") {
  NoGradScope no_grad;
  PatchGanOptions o;
  o.input_nc = 3;
  PatchGan d(o);  // full width: one forward at 128x128
  CHECK(d.n_layers() == 3);
  CHECK(d.forward(test::random_normal({1, 3, 128, 128}, 1, DType::float32)).shape() == Shape{1, 1, 14, 14});
  o.ndf = 8;  // the patch grid does not depend on the width
  o.input_nc = 6;
  PatchGan narrow(o);
  CHECK(narrow.forward(test::random_normal({1, 6, 256, 256}, 2, DType::float32)).shape() == Shape{1, 1, 30, 30});
  CHECK(narrow.forward(test::random_normal({2, 6, 128, 128}, 3, DType::float32)).shape() == Shape{2, 1, 14, 14});
}

TEST_CASE("2D PatchGAN layer schedule", "[model]") {
  PatchGanOptions o;
  PatchGan d(o);
  CHECK(d.parameter("model.0.weight").shape() == Shape{64, 3, 4, 4});
  CHECK(d.parameter("model.2.weight").shape() == Shape{128, 64, 4, 4});
  CHECK(d.parameter("model.5.weight").shape() == Shape{256, 128, 4, 4});
  CHECK(d.parameter("model.8.weight").shape() == Shape{512, 256, 4, 4});
  CHECK(d.parameter("model.11.weight").shape() == Shape{1, 512, 4, 4});
  CHECK(d.parameter("model.11.bias").to_vector() == std::vector<double>{0.0});
  CHECK(test::differing_parameters(d, PatchGan(o)).empty());
}

TEST_CASE("3D PatchGAN gives 4^3 patches at 24^3", "[model]") {
  NoGradScope no_grad;
  PatchGanOptions o;
  o.dims = 3;
  o.input_nc = 12;  // conditional: 6-channel condition + 6-channel volume
  PatchGan d(o);
  CHECK(d.n_layers() == 2);
  CHECK(d.parameter("model.0.weight").shape() == Shape{64, 12, 4, 4, 4});
  CHECK(d.parameter("model.5.weight").shape() == Shape{256, 128, 4, 4, 4});
  CHECK(d.parameter("model.8.weight").shape() == Shape{1, 256, 4, 4, 4});
  CHECK(d.parameter_count() == (12 * 64 * 64 + 64) + (64 * 128 * 64 + 128) + (128 * 256 * 64 + 256) + (256 * 64 + 1));
  CHECK(d.forward(test::random_normal({1, 12, 24, 24, 24}, 4, DType::float32)).shape() == Shape{1, 1, 4, 4, 4});
}

TEST_CASE("PatchGAN sigmoid flag yields probabilities", "[model]") {
  NoGradScope no_grad;
  PatchGanOptions o;
  o.ndf = 4;
  o.sigmoid = true;
  o.init_std = 1.0;  // large logits, to see the squashing
  Tensor p = PatchGan(o).forward(test::random_normal({1, 3, 64, 64}, 5, DType::float32));
  CHECK(p.shape() == Shape{1, 1, 6, 6});
  for (double v : p.to_vector()) REQUIRE((v >= 0.0 && v <= 1.0));
}

TEST_CASE("PatchGAN rejects bad options and inputs", "[model]") {
  PatchGanOptions o;
  o.dims = 1;
  REQUIRE_THROWS_WITH(PatchGan(o), Catch::Contains("dims"));
  o.dims = 2;
  o.ndf = 4;
  PatchGan d(o);
  NoGradScope no_grad;
  REQUIRE_THROWS_WITH(d.forward(test::random_normal({1, 6, 32, 32}, 6, DType::float32)),
                      Catch::Contains("PatchGan") && Catch::Contains("[N, 3, H, W]"));
}

TEST_CASE("Pixel discriminator: 1x1 convs under PixelDiscriminator's names, one logit per pixel", "[model]") {
  NoGradScope no_grad;
  PatchGanOptions o;
  o.arch = PatchGanArch::pixel;
  PatchGan d(o);
  CHECK(d.n_layers() == 0);
  CHECK(std::string(d.body_name()) == "net");
  CHECK(d.named_parameters().size() == 6);  // three convs with biases; the instance norm has none
  CHECK(d.parameter("net.0.weight").shape() == Shape{64, 3, 1, 1});
  CHECK(d.parameter("net.2.weight").shape() == Shape{128, 64, 1, 1});
  CHECK(d.parameter("net.2.bias").shape() == Shape{128});
  CHECK(d.parameter("net.5.weight").shape() == Shape{1, 128, 1, 1});
  CHECK(d.parameter("net.5.bias").to_vector() == std::vector<double>{0.0});
  CHECK(test::differing_parameters(d, PatchGan(o)).empty());
  CHECK(d.forward(test::random_normal({2, 3, 5, 7}, 7, DType::float32)).shape() == Shape{2, 1, 5, 7});
  CHECK(d.forward(test::random_normal({1, 3, 1, 1}, 8, DType::float32)).shape() == Shape{1, 1, 1, 1});

  o.dims = 3;  // 1x1x1 convs
  o.input_nc = 2;
  o.ndf = 4;
  PatchGan v(o);
  CHECK(v.parameter("net.2.weight").shape() == Shape{8, 4, 1, 1, 1});
  CHECK(v.forward(test::random_normal({1, 2, 3, 4, 5}, 9, DType::float32)).shape() == Shape{1, 1, 3, 4, 5});

  o.dims = 2;
  o.sigmoid = true;
  o.init_std = 1.0;
  PatchGan p(o);
  CHECK(p.named_parameters().size() == 6);  // net.6 is the parameter-free sigmoid
  for (double x : p.forward(test::random_normal({1, 2, 6, 6}, 10, DType::float32)).to_vector())
    REQUIRE((x >= 0.0 && x <= 1.0));
  o.input_nc = 3;
  REQUIRE_THROWS_WITH(PatchGan(o).forward(test::random_normal({1, 2, 6, 6}, 11, DType::float32)),
                      Catch::Contains("[N, 3, H, W]"));
}

TEST_CASE("PatchGAN smallest inputs: 24 (2D), 12 (3D), 6 with one stage, 1 for pixel", "[model]") {
  PatchGanOptions o;
  CHECK(PatchGan::smallest_input(o) == 24);
  o.n_layers = 1;
  CHECK(PatchGan::smallest_input(o) == 6);
  o.n_layers = 0;
  o.dims = 3;
  CHECK(PatchGan::smallest_input(o) == 12);
  o.arch = PatchGanArch::pixel;
  CHECK(PatchGan::smallest_input(o) == 1);
  // Each is the smallest the network maps to a logit.
  NoGradScope no_grad;
  PatchGanOptions small;
  small.ndf = 1;
  small.n_layers = 1;
  CHECK(PatchGan(small).forward(test::random_normal({1, 3, 6, 6}, 12, DType::float32)).shape() == Shape{1, 1, 1, 1});
  CHECK_THROWS(PatchGan(small).forward(test::random_normal({1, 3, 5, 5}, 13, DType::float32)));
}
