// Parameter counts of the generator sets and discriminators against the reference table
// (generators: both directions, biases included). Construction only, no forward.
#include <catch2/catch.hpp>

#include "models/patchgan.hpp"
#include "models/resnet_generator.hpp"
#include "models/revgan2d.hpp"

using namespace revgan;
using namespace revgan::models;

namespace {

struct Row {
  int64_t k, r, params;
};

}  // namespace

TEST_CASE("RevGAN 2D parameter counts match the reference table", "[model]") {
  for (const Row& row : {Row{32, 6, 1'274'374}, Row{56, 6, 3'875'206}, Row{32, 9, 1'717'510}, Row{58, 9, 5'610'230},
                         Row{64, 9, 6'826'502}}) {
    INFO("K=" << row.k << " R=" << row.r);
    RevGan2dOptions o;
    o.ngf = row.k;
    o.depth = row.r;
    RevGan2d g(o);
    CHECK(g.parameter_count() == row.params);
    // Closed forms for 3-channel images: two encoders, two decoders, R blocks in ONE core.
    const int64_t k = row.k;
    CHECK(g.enc_x().parameter_count() == 90 * k * k + 154 * k);
    CHECK(g.dec_y().parameter_count() == 90 * k * k + 150 * k + 3);
    CHECK(g.core().parameter_count() == row.r * (144 * k * k + 8 * k));
  }
}

TEST_CASE("CycleGAN generator pair parameter counts match the reference table", "[model]") {
  for (const Row& row : {Row{32, 6, 3'930'118}, Row{32, 9, 5'701'126}, Row{64, 9, 22'756'358}}) {
    INFO("K=" << row.k << " R=" << row.r);
    ResnetGeneratorOptions o;
    o.ngf = row.k;
    o.depth = row.r;
    CycleGanGenerators pair(o);
    CHECK(pair.parameter_count() == row.params);
    CHECK(pair.xy().parameter_count() * 2 == row.params);
  }
}

TEST_CASE("pix2pix uses one ResNet generator", "[model]") {
  ResnetGeneratorOptions o;
  o.ngf = 32;
  o.depth = 9;
  CHECK(ResnetGenerator(o).parameter_count() * 2 == 5'701'126);
}

TEST_CASE("2D PatchGAN and pixel discriminator parameter counts match the reference", "[model]") {
  // PixelDiscriminator(3, 64, norm_layer=InstanceNorm2d): (3 * 64 + 64) + (64 * 128 + 128) + (128 + 1).
  struct Row {
    PatchGanArch arch;
    int64_t params_3, params_6;
  };
  for (const Row& row : {Row{PatchGanArch::n_layers, 2'764'737, 2'767'809}, Row{PatchGanArch::pixel, 8'705, 8'897}}) {
    PatchGanOptions o;
    o.arch = row.arch;
    o.input_nc = 3;
    CHECK(PatchGan(o).parameter_count() == row.params_3);
    o.input_nc = 6;  // conditional: condition + image
    CHECK(PatchGan(o).parameter_count() == row.params_6);
    o.sigmoid = true;  // parameter-free
    CHECK(PatchGan(o).parameter_count() == row.params_6);
  }
}
