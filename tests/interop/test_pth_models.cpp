// PyTorch checkpoints run in our networks: state dicts of pytorch-CycleGAN-and-pix2pix's
// ResnetGenerator (6 and 9 blocks, one with the running statistics older releases saved),
// NLayerDiscriminator and PixelDiscriminator, and of the official RevGAN code's five generator
// networks, each in both torch.save formats, against PyTorch's outputs on the same input (float64
// reference, our float32 within 1e-5 of the output scale). Then the refusals, which must say what
// to change.
#include <catch2/catch.hpp>
#include <string>

#include "engine/autograd/grad_mode.hpp"
#include "engine/io/pth/module_state.hpp"
#include "engine/io/pth/pth_reader.hpp"
#include "models/pytorch_names.hpp"
#include "tests/interop/interop_test_util.hpp"
#include "tests/support/tolerance.hpp"
#include "tools/infer/pth_generator.hpp"

using namespace revgan;
using revgan::test::interop_data;
using revgan::test::read_pth_golden;

namespace {

infer::PthGeneratorOptions options(const std::string& netG, int64_t ngf, int64_t in_nc, int64_t out_nc) {
  infer::PthGeneratorOptions o;
  o.netG = netG;
  o.ngf = ngf;
  o.input_nc = in_nc;
  o.output_nc = out_nc;
  o.no_dropout = true;
  return o;
}

Tensor run_generator(const std::string& file, const infer::PthGeneratorOptions& o, bool x_to_y, const Tensor& input) {
  const infer::PthGenerators g = infer::load_pth_generators(interop_data(file), o, x_to_y);
  // The serialisation format was recognised from the bytes (file names say which it is).
  REQUIRE_THAT(g.description, Catch::Contains(file.find("legacy") != std::string::npos ? "legacy" : "zip"));
  g.generators->eval();
  NoGradScope no_grad;
  return x_to_y || g.options.model == "pix2pix" ? g.generators->g_xy(input) : g.generators->g_yx(input);
}

std::string load_error(const std::string& file, const infer::PthGeneratorOptions& o, bool x_to_y = true) {
  try {
    infer::load_pth_generators(interop_data(file), o, x_to_y);
  } catch (const Error& e) {
    return e.message();
  }
  return "no error";
}

}  // namespace

TEST_CASE("pth models: pytorch-CycleGAN ResnetGenerators match PyTorch", "[model]") {
  struct Case {
    const char* name;
    infer::PthGeneratorOptions o;
  };
  for (const Case& c :
       {Case{"resnet6", options("resnet_6blocks", 2, 3, 3)}, Case{"resnet9", options("resnet_9blocks", 1, 1, 3)}}) {
    const test::PthGolden golden = read_pth_golden(c.name);
    for (const char* format : {"zip", "legacy"}) {
      INFO(c.name << " " << format);
      const Tensor out = run_generator(fmt::format("{}_{}.pth", c.name, format), c.o, true, golden.input);
      REVGAN_REQUIRE_CLOSE(test::compare(out, golden.output, test::tolerance::golden_float32));
    }
  }
}

TEST_CASE("pth models: pytorch-CycleGAN NLayerDiscriminator and PixelDiscriminator match PyTorch", "[model]") {
  struct Case {
    const char* name;
    models::PatchGanArch arch;
    int64_t ndf;
  };
  for (const Case& c :
       {Case{"patchgan", models::PatchGanArch::n_layers, 2}, Case{"pixel", models::PatchGanArch::pixel, 4}}) {
    const test::PthGolden golden = read_pth_golden(c.name);
    for (const char* format : {"zip", "legacy"}) {
      INFO(c.name << " " << format);
      models::PatchGanOptions o;
      o.arch = c.arch;
      o.input_nc = 3;
      o.ndf = c.ndf;
      models::PatchGan d(o);
      const std::string file = interop_data(fmt::format("{}_{}.pth", c.name, format)).string();
      io::pth::load_state_dict(d, io::pth::read_pth(file).state, models::pix2pix_patchgan_names(d), file);
      NoGradScope no_grad;
      REVGAN_REQUIRE_CLOSE(test::compare(d.forward(golden.input), golden.output, test::tolerance::golden_float32));
    }
  }
}

TEST_CASE("pth models: the official RevGAN generators match PyTorch in both directions", "[model]") {
  for (const char* format : {"zip", "legacy"}) {
    for (const bool a_to_b : {true, false}) {
      INFO(format << (a_to_b ? " AtoB" : " BtoA"));
      const test::PthGolden golden = read_pth_golden(a_to_b ? "revgan_AtoB" : "revgan_BtoA");
      // Any of the five file names selects the layout; the options are theirs (A: 3, B: 1 channel).
      const std::string file = fmt::format("revgan_{}/latest_net_{}.pth", format, a_to_b ? "G_core" : "G_B_dec");
      const Tensor out = run_generator(file, options("resnet_6blocks", 2, 3, 1), a_to_b, golden.input);
      REVGAN_REQUIRE_CLOSE(test::compare(out, golden.output, test::tolerance::golden_float32));
    }
  }
}

TEST_CASE("pth models: wrong options are refused with the options the file needs", "[model]") {
  const auto good = options("resnet_6blocks", 2, 3, 3);
  auto o = good;
  o.ngf = 4;
  REQUIRE_THAT(load_error("resnet6_zip.pth", o), Catch::Contains("'model.1.weight' has shape [2, 3, 7, 7]") &&
                                                     Catch::Contains("--netG resnet_6blocks --ngf 2 --input_nc 3 "
                                                                     "--output_nc 3"));
  o = good;
  o.netG = "resnet_9blocks";
  REQUIRE_THAT(load_error("resnet6_zip.pth", o), Catch::Contains("looks like --netG resnet_6blocks"));
  o = good;
  o.no_dropout = false;
  REQUIRE_THAT(load_error("resnet6_zip.pth", o), Catch::Contains("pass --no_dropout"));
  o = good;
  o.netG = "unet_256";
  REQUIRE_THAT(load_error("resnet6_zip.pth", o),
               Catch::Contains("unexpected key") && Catch::Contains("does not look like a UnetGenerator"));
  o = good;
  o.netG = "my_net";
  REQUIRE_THAT(load_error("resnet6_zip.pth", o), Catch::Contains("'my_net' is not a generator"));
  o = good;
  o.norm = "batch";
  REQUIRE_THAT(load_error("resnet6_zip.pth", o), Catch::Contains("instance norm only"));
  REQUIRE_THAT(load_error("resnet6_zip.pth", good, false), Catch::Contains("holds one generator"));
  // A discriminator's file is not a generator.
  REQUIRE_THAT(load_error("patchgan_zip.pth", good), Catch::Contains("unexpected key"));
  // RevGAN: the siblings must exist, with the width the options say.
  REQUIRE_THAT(load_error("revgan_zip/latest_net_G_core.pth", options("resnet_6blocks", 4, 3, 1)),
               Catch::Contains("has shape") && Catch::Contains("official RevGAN G_A_enc"));
  REQUIRE_THAT(load_error("revgan_zip/epoch9_net_G_core.pth", options("resnet_6blocks", 2, 3, 1)),
               Catch::Contains("does not exist"));
}

TEST_CASE("pth models: a failed load leaves the network unchanged", "[model]") {
  models::PatchGanOptions o;
  o.input_nc = 3;
  o.ndf = 2;
  models::PatchGan d(o);
  const auto before = d.named_parameters().front().second.to_vector();
  io::pth::StateDict state = io::pth::read_pth(interop_data("patchgan_zip.pth").string()).state;
  state.entries.back().second.shape = {1, 16, 4, 2};  // the last key, after every other was accepted
  state.entries.back().second.bytes.resize(16 * 4 * 2 * 4);
  REQUIRE_THROWS_WITH(io::pth::load_state_dict(d, state, models::pix2pix_patchgan_names(d), "patched"),
                      Catch::Contains("has shape [1, 16, 4, 2]"));
  REQUIRE(d.named_parameters().front().second.to_vector() == before);
}
