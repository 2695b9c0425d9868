// revgan_train --init_from: a fresh run's generators start from PyTorch state dicts (pix2pix's
// ResnetGenerator, CycleGAN's G_A + G_B, the official RevGAN's five files) with every weight
// equal to the file's, and the mistakes are refused with what to pass instead. Then pix2pix with
// their U-Net (--netG unet_128): a training step moves the running statistics, which the
// checkpoint keeps, revgan_export writes for PyTorch, and inference from the checkpoint uses.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "engine/io/pth/pth_reader.hpp"
#include "engine/tensor/factory.hpp"
#include "tests/interop/interop_test_util.hpp"
#include "tools/export/pth_export.hpp"
#include "tools/infer/translator.hpp"
#include "training/trainer.hpp"

using namespace revgan;
using revgan::test::interop_data;
namespace fs = std::filesystem;

namespace {

training::TrainOptions base(const std::string& model, int64_t in_nc, int64_t out_nc, const std::string& file) {
  training::TrainOptions o;
  o.model = model;
  o.input_nc = in_nc;
  o.output_nc = out_nc;
  o.ngf = 2;
  o.ndf = 2;
  o.depth = 6;
  o.lambda_identity = 0;  // the RevGAN fixture maps 3 channels to 1
  o.init_from = interop_data(file).string();
  return o;
}

// Our parameter at `ours` holds exactly the file's tensor at `key`.
void check_same(training::Trainer& t, const std::string& ours, const std::string& file, const std::string& key) {
  const io::pth::StateDict state = io::pth::read_pth(interop_data(file).string()).state;
  const io::pth::StoredTensor* stored = state.find(key);
  REQUIRE(stored != nullptr);
  const Tensor p = t.generators().parameter(ours);
  REQUIRE(p.nbytes() == stored->bytes.size());
  CHECK(std::memcmp(p.raw_data(), stored->bytes.data(), stored->bytes.size()) == 0);
}

}  // namespace

TEST_CASE("revgan_train --init_from: pix2pix, cyclegan and RevGAN start from PyTorch weights", "[model]") {
  {
    training::Trainer t(training::resolve_options(base("pix2pix", 3, 3, "resnet6_zip.pth")));
    check_same(t, "g_xy.enc.1.weight", "resnet6_zip.pth", "model.1.weight");
    check_same(t, "g_xy.blocks.5.f.5.bias", "resnet6_zip.pth", "model.15.conv_block.5.bias");
  }
  {
    // A CycleGAN reads G_A and its G_B sibling (here both the resnet6 fixture, copied).
    const fs::path dir = fs::temp_directory_path() / fmt::format("revgan-pth-init-{}", ::getpid());
    fs::create_directories(dir);
    fs::copy_file(interop_data("resnet6_zip.pth"), dir / "latest_net_G_A.pth", fs::copy_options::overwrite_existing);
    auto o = base("cyclegan", 3, 3, "resnet6_zip.pth");
    o.init_from = (dir / "latest_net_G_A.pth").string();
    REQUIRE_THROWS_WITH(training::Trainer(training::resolve_options(o)), Catch::Contains("latest_net_G_B.pth"));
    fs::copy_file(interop_data("resnet6_legacy.pth"), dir / "latest_net_G_B.pth", fs::copy_options::overwrite_existing);
    training::Trainer t(training::resolve_options(o));
    check_same(t, "g_xy.dec.7.weight", "resnet6_zip.pth", "model.23.weight");
    check_same(t, "g_yx.enc.4.weight", "resnet6_legacy.pth", "model.4.weight");
    fs::remove_all(dir);
    // Any other file name is refused with what to pass.
    REQUIRE_THROWS_WITH(training::Trainer(training::resolve_options(base("cyclegan", 3, 3, "resnet6_zip.pth"))),
                        Catch::Contains("pass the G_A file"));
  }
  {
    training::Trainer t(training::resolve_options(base("revgan_unpaired", 3, 1, "revgan_legacy/latest_net_G_core.pth")));
    check_same(t, "enc_x.1.weight", "revgan_legacy/latest_net_G_A_enc.pth", "model.1.weight");
    check_same(t, "dec_x.7.weight", "revgan_legacy/latest_net_G_B_dec.pth", "model.7.weight");
  }
  REQUIRE_THROWS_WITH(training::Trainer(training::resolve_options(base("pix2pix", 3, 3, "patchgan_zip.pth"))),
                      Catch::Contains("unexpected key"));
  auto resumed = base("pix2pix", 3, 3, "resnet6_zip.pth");
  resumed.continue_train = true;
  REQUIRE_THROWS_WITH(training::resolve_options(resumed), Catch::Contains("init_from"));
}

TEST_CASE("pix2pix --netG unet_128 trains, keeps its running statistics and exports them for PyTorch", "[model]") {
  training::TrainOptions o;
  o.model = "pix2pix";
  o.netG = "unet_128";
  o.input_nc = o.output_nc = 1;
  o.ngf = o.ndf = 2;
  o.crop_size = 128;
  training::Trainer t(training::resolve_options(o));
  Generator gen(3);
  const Tensor a = randn({2, 1, 128, 128}, gen), b = randn({2, 1, 128, 128}, gen);
  const std::string bn = "g_xy.model.model.1.model.2.running_mean";
  CHECK(t.generators().buffer(bn).to_vector() == std::vector<double>(4, 0.0));
  t.train_step(a, b);
  const std::vector<double> moved = t.generators().buffer(bn).to_vector();
  CHECK(moved != std::vector<double>(4, 0.0));

  const fs::path dir = fs::temp_directory_path() / fmt::format("revgan-unet-train-{}", ::getpid());
  fs::create_directories(dir);
  const std::string ckpt = (dir / "latest.h5").string();
  t.save(ckpt, {});
  exporting::ExportRequest r;
  r.checkpoint = ckpt;
  const exporting::ExportedNetwork e = exporting::export_network(r);
  CHECK_THAT(e.description, Catch::Contains("UnetGenerator(input_nc=1, output_nc=1, num_downs=7, ngf=2"));
  const io::pth::StoredTensor* stored = e.state.find("model.model.1.model.2.running_mean");
  REQUIRE(stored != nullptr);
  std::vector<float> values(4);
  std::memcpy(values.data(), stored->bytes.data(), 16);
  for (std::size_t i = 0; i < 4; ++i) CHECK(values[i] == static_cast<float>(moved[i]));
  REQUIRE(e.state.find("model.model.1.model.2.num_batches_tracked") != nullptr);

  // revgan_infer's path for our own checkpoint: eval mode, running statistics, whole image.
  const infer::Translator tr = infer::Translator::from_checkpoint(ckpt, true, Device::cpu());
  CHECK(tr.run(a).shape() == Shape{2, 1, 128, 128});
  fs::remove_all(dir);

  // --init_from their U-Net file: weights and running statistics as in the file.
  auto ft = o;
  ft.init_from = interop_data("unet128_batch_legacy.pth").string();
  training::Trainer f(training::resolve_options(ft));
  check_same(f, "g_xy.model.model.0.weight", "unet128_batch_legacy.pth", "model.model.0.weight");
  check_same(f, "g_xy.model.model.1.model.2.weight", "unet128_batch_legacy.pth", "model.model.1.model.2.weight");
  const io::pth::StateDict file = io::pth::read_pth(ft.init_from).state;
  std::vector<float> rm(4);
  std::memcpy(rm.data(), file.find("model.model.1.model.2.running_mean")->bytes.data(), 16);
  const std::vector<double> ours = f.generators().buffer(bn).to_vector();
  for (std::size_t i = 0; i < 4; ++i) CHECK(ours[i] == rm[i]);

  auto bad = o;
  bad.crop_size = 96;
  REQUIRE_THROWS_WITH(training::resolve_options(bad), Catch::Contains("multiples of 128"));
  bad = o;
  bad.model = "cyclegan";
  REQUIRE_THROWS_WITH(training::resolve_options(bad), Catch::Contains("pix2pix generator"));
}
