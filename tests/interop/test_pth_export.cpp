// Export of revgan_train checkpoints as PyTorch state dicts: every network of every 2D model
// (pixel discriminators included) under the official names, read back by our own reader, holds
// exactly the checkpoint's weights (a fresh network loaded from it computes bit-identical
// outputs); 3D models export under our own names only. With Debian's python3-torch, the files
// also load into the PyTorch networks with strict=True and give our outputs (otherwise that case
// exits 77: skipped).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "engine/autograd/grad_mode.hpp"
#include "engine/io/checkpoint.hpp"
#include "engine/io/pth/module_state.hpp"
#include "engine/io/pth/pth_reader.hpp"
#include "engine/io/pth/pth_writer.hpp"
#include "engine/tensor/factory.hpp"
#include "models/pytorch_names.hpp"
#include "tests/interop/interop_test_util.hpp"
#include "tests/support/subprocess.hpp"
#include "tools/export/pth_export.hpp"
#include "training/model_factory.hpp"
#include "training/trainer.hpp"

using namespace revgan;
namespace fs = std::filesystem;
namespace pth = revgan::io::pth;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("revgan-export-{}-{}", name, ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

training::TrainOptions tiny(const std::string& model) {
  training::TrainOptions o;
  o.model = model;
  o.input_nc = 3;
  o.output_nc = training::model_traits(model).dims == 3 ? 1 : 2;
  if (training::model_traits(model).dims == 3) o.input_nc = 1;
  o.ngf = 2;
  o.ndf = 2;
  o.depth = 2;
  o.seed = 5;
  o.lambda_identity = 0;  // the domains have different channel counts
  return o;
}

// A checkpoint whose weights are far from their initialisation (biases included).
fs::path make_checkpoint(const std::string& model, const fs::path& dir, const std::string& netD = "n_layers") {
  training::TrainOptions o = tiny(model);
  o.netD = netD;
  training::Trainer trainer(training::resolve_options(o));
  Generator gen(17);
  std::vector<nn::Module*> modules{&trainer.generators(), &trainer.discriminator_a()};
  if (trainer.discriminator_b() != nullptr) modules.push_back(trainer.discriminator_b());
  for (nn::Module* m : modules)
    for (Tensor p : m->parameters()) p.copy_from(randn(p.shape(), gen, 0.0, 0.3, p.dtype()));
  const fs::path path = dir / (model + "_" + netD + ".h5");
  trainer.save(path.string(), {});
  return path;
}

pth::StateDict round_trip(const pth::StateDict& s) {
  const std::vector<uint8_t> bytes = pth::pth_bytes(s);
  return pth::read_pth_bytes(bytes.data(), bytes.size(), "exported.pth").state;
}

void require_same_parameters(const nn::Module& a, const nn::Module& b, const std::string& prefix_a = "") {
  for (const auto& [name, p] : b.named_parameters()) {
    INFO(name);
    REQUIRE(a.parameter(prefix_a + name).to_vector() == p.to_vector());
  }
}

// The checkpoint's discriminator D_A (judges domain B) or D_B, loaded the ordinary way.
std::shared_ptr<models::PatchGan> checkpoint_discriminator(const fs::path& ckpt, const training::ResolvedOptions& o,
                                                           const std::string& part) {
  auto d = training::build_discriminator(o, part == "D_A");
  io::CheckpointTargets targets;
  targets.modules.emplace_back(part, d.get());
  io::load_checkpoint(ckpt.string(), targets);
  return d;
}

Tensor image(int64_t channels, int64_t size, uint64_t seed) {
  Generator gen(seed);
  return randn(Shape{1, channels, size, size}, gen, 0.0, 0.5);
}

}  // namespace

TEST_CASE("pth export: CycleGAN and pix2pix networks hold the checkpoint's weights", "[tool]") {
  const fs::path dir = scratch("resnet");
  for (const std::string model : {"cyclegan", "pix2pix"}) {
    const fs::path ckpt = make_checkpoint(model, dir);
    const training::LoadedGenerators original = training::load_generators(ckpt.string());
    for (const std::string& net : exporting::exportable_networks(model, "official")) {
      INFO(model << " " << net);
      const exporting::ExportedNetwork e = exporting::export_network({ckpt.string(), net, "official"});
      const pth::StateDict back = round_trip(e.state);
      if (net[0] == 'G') {
        const bool xy = net != "G_B";
        auto& g = dynamic_cast<models::ResnetGenerator&>(original.generators->submodule(xy ? "g_xy" : "g_yx"));
        models::ResnetGenerator fresh(g.options());
        pth::load_state_dict(fresh, back, models::pix2pix_resnet_names(fresh), "exported");
        require_same_parameters(g, fresh);
        NoGradScope no_grad;
        const Tensor x = image(g.options().input_nc, 16, 3);
        REQUIRE(fresh.forward(x).to_vector() == g.forward(x).to_vector());
      } else {
        auto d = training::build_discriminator(original.options, net != "D_B");
        pth::load_state_dict(*d, back, models::pix2pix_patchgan_names(*d), "exported");
        REQUIRE(back.entries.size() == d->named_parameters().size());  // no buffers: their IN keeps none
        require_same_parameters(*checkpoint_discriminator(ckpt, original.options, net == "D_B" ? "D_B" : "D_A"), *d);
      }
    }
  }
  fs::remove_all(dir);
}

TEST_CASE("pth export: pixel discriminators under pix2pix's and the official RevGAN code's names", "[tool]") {
  const fs::path dir = scratch("pixel");
  for (const std::string model : {"cyclegan", "pix2pix", "revgan_paired"}) {
    const fs::path ckpt = make_checkpoint(model, dir, "pixel");
    const training::LoadedGenerators original = training::load_generators(ckpt.string());
    const bool revgan = training::model_traits(model).reversible;
    for (const std::string& net : exporting::exportable_networks(model, "official")) {
      if (net[0] != 'D') continue;
      INFO(model << " " << net);
      const exporting::ExportedNetwork e = exporting::export_network({ckpt.string(), net, "official"});
      const auto d = checkpoint_discriminator(ckpt, original.options, net == "D_B" ? "D_B" : "D_A");
      CHECK_THAT(e.description,
                 Catch::StartsWith(fmt::format("PixelDiscriminator(input_nc={}, ndf=2, norm_layer=InstanceNorm2d",
                                               d->options().input_nc)));
      const pth::StateDict back = round_trip(e.state);
      // Their keys: net.0, net.2 (1x1 convs with biases: instance norm), net.3 (the norm: buffers
      // only where the official RevGAN code tracks running statistics), net.5.
      std::vector<std::string> keys;
      for (const auto& [key, _] : back.entries) keys.push_back(key);
      std::vector<std::string> expected{"net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias"};
      if (revgan)
        expected.insert(expected.end(), {"net.3.running_mean", "net.3.running_var", "net.3.num_batches_tracked"});
      expected.insert(expected.end(), {"net.5.weight", "net.5.bias"});
      std::sort(keys.begin(), keys.end());
      std::sort(expected.begin(), expected.end());
      REQUIRE(keys == expected);
      auto fresh = training::build_discriminator(original.options, net != "D_B");
      pth::load_state_dict(
          *fresh, back,
          revgan ? models::revgan_official_patchgan_names(*fresh) : models::pix2pix_patchgan_names(*fresh), "exported");
      require_same_parameters(*d, *fresh);
      NoGradScope no_grad;
      const Tensor x = image(d->options().input_nc, 7, 6);
      REQUIRE(fresh->forward(x).to_vector() == d->forward(x).to_vector());
    }
  }
  fs::remove_all(dir);
}

TEST_CASE("pth export: the five RevGAN networks together hold every generator weight", "[tool]") {
  const fs::path dir = scratch("revgan");
  for (const std::string model : {"revgan_unpaired", "revgan_paired"}) {
    const fs::path ckpt = make_checkpoint(model, dir);
    const training::LoadedGenerators original = training::load_generators(ckpt.string());
    const auto fresh = training::build_generators(original.options);
    const auto& g = dynamic_cast<const models::RevGan2d&>(*fresh);
    for (const std::string net : {"G_A_enc", "G_core", "G_A_dec", "G_B_enc", "G_B_dec"}) {
      INFO(model << " " << net);
      const exporting::ExportedNetwork e = exporting::export_network({ckpt.string(), net, "official"});
      const pth::StateDict back = round_trip(e.state);
      const models::RevganPart part = net == "G_A_enc"   ? models::RevganPart::G_A_enc
                                      : net == "G_core"  ? models::RevganPart::G_core
                                      : net == "G_A_dec" ? models::RevganPart::G_A_dec
                                      : net == "G_B_enc" ? models::RevganPart::G_B_enc
                                                         : models::RevganPart::G_B_dec;
      const pth::NameMap names = models::revgan_official_names(g, part);
      // Their InstanceNorm keeps running statistics, so strict loading there needs the buffers.
      REQUIRE(back.entries.size() == names.params.size() + 3 * names.norms.size());
      pth::load_state_dict(*fresh, back, names, "exported");
    }
    require_same_parameters(*original.generators, *fresh);
    NoGradScope no_grad;
    const Tensor x = image(3, 16, 4), y = image(2, 16, 5);
    REQUIRE(fresh->g_xy(x).to_vector() == original.generators->g_xy(x).to_vector());
    REQUIRE(fresh->g_yx(y).to_vector() == original.generators->g_yx(y).to_vector());
  }
  fs::remove_all(dir);
}

TEST_CASE("pth export: our own names, and 3D models only under them", "[tool]") {
  const fs::path dir = scratch("ours");
  const fs::path ckpt = make_checkpoint("revgan3d_unpaired", dir);
  REQUIRE_THROWS_WITH(exporting::export_network({ckpt.string(), "", "official"}), Catch::Contains("--names ours"));
  const exporting::ExportedNetwork e = exporting::export_network({ckpt.string(), "G", "ours"});
  const training::LoadedGenerators original = training::load_generators(ckpt.string());
  const pth::StateDict back = round_trip(e.state);
  REQUIRE(back.entries.size() == original.generators->named_parameters().size());
  for (const auto& [name, p] : original.generators->named_parameters())
    REQUIRE(pth::to_tensor(*back.find(name), name).to_vector() == p.to_vector());
  REQUIRE_THROWS_WITH(exporting::export_network({ckpt.string(), "G_A", "ours"}),
                      Catch::Contains("has no network 'G_A'"));
  fs::remove_all(dir);
}

TEST_CASE("pth export: revgan_export writes the file and reports usage errors", "[tool]") {
  const fs::path dir = scratch("tool");
  const fs::path ckpt = make_checkpoint("cyclegan", dir);
  const std::string tool = REVGAN_EXPORT_PATH;
  const auto out = dir / "G_B.pth";
  auto r = test::run_program(
      {tool, "--checkpoint", ckpt.string(), "--format", "pth", "--out", out.string(), "--net", "G_B"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  REQUIRE_THAT(r.output, Catch::Contains("ResnetGenerator(input_nc=2, output_nc=3, ngf=2"));
  const auto expected = exporting::export_network({ckpt.string(), "G_B", "official"}).state;
  REQUIRE(pth::read_pth(out.string()).state.entries.size() == expected.entries.size());
  REQUIRE(test::run_program({tool, "--checkpoint", ckpt.string()}).exit_code == 2);  // no --out
  REQUIRE(
      test::run_program({tool, "--checkpoint", ckpt.string(), "--out", out.string(), "--format", "onnx"}).exit_code ==
      2);
  r = test::run_program({tool, "--checkpoint", ckpt.string(), "--out", out.string(), "--net", "G_core"});
  REQUIRE(r.exit_code == 1);
  REQUIRE_THAT(r.output, Catch::Contains("choose one of G_A, G_B, D_A, D_B"));
  REQUIRE(test::run_program({tool, "--checkpoint", (dir / "missing.h5").string(), "--out", out.string()}).exit_code ==
          1);
  REQUIRE(test::run_program({tool, "--help"}).exit_code == 0);
  fs::remove_all(dir);
}

TEST_CASE("pth export: PyTorch loads the files with strict=True and computes our outputs", "[tool][slow]") {
  const std::string python = test::python_with_torch();
  if (python.empty()) {
    std::fprintf(stderr, "SKIPPED: /usr/bin/python3 with torch is not installed\n");
    std::fflush(stderr);
    std::_Exit(77);
  }
  const fs::path dir = scratch("torch");
  const std::string script = (fs::path(REVGAN_TEST_DATA_DIR) / "interop" / "check_export.py").string();
  NoGradScope no_grad;
  const auto write_io = [](const fs::path& path, const Tensor& x, const Tensor& y) {
    pth::StateDict state;
    state.entries.emplace_back("input", pth::to_stored(x));
    state.entries.emplace_back("output", pth::to_stored(y));
    pth::write_pth(path.string(), state);
  };
  std::vector<std::string> args{python, script};  // one interpreter for every check

  // CycleGAN G_A and D_A (pytorch-CycleGAN-and-pix2pix names).
  const fs::path cyclegan = make_checkpoint("cyclegan", dir);
  const training::LoadedGenerators c = training::load_generators(cyclegan.string());
  pth::write_pth((dir / "G_A.pth").string(), exporting::export_network({cyclegan.string(), "G_A", "official"}).state);
  const Tensor x = image(3, 16, 8);
  write_io(dir / "io_G.pth", x, c.generators->g_xy(x));
  args.insert(args.end(), {"resnet", (dir / "G_A.pth").string(), (dir / "io_G.pth").string(), "3", "2", "2", "2", "+"});
  const auto d = checkpoint_discriminator(cyclegan, c.options, "D_A");
  pth::write_pth((dir / "D_A.pth").string(), exporting::export_network({cyclegan.string(), "D_A", "official"}).state);
  const Tensor b = image(2, 40, 9);
  write_io(dir / "io_D.pth", b, d->forward(b));
  args.insert(args.end(),
              {"patchgan", (dir / "D_A.pth").string(), (dir / "io_D.pth").string(), "2", "2", "3", "0", "+"});

  // Pixel discriminators: CycleGAN's D_A (pix2pix's names) and a paired RevGAN's D_A (the official
  // code's: running statistics, use_sigmoid), on an odd-sized input.
  for (const std::string model : {"cyclegan", "revgan_paired"}) {
    const fs::path ckpt = make_checkpoint(model, dir, "pixel");
    const auto pd = checkpoint_discriminator(ckpt, training::load_generators(ckpt.string()).options, "D_A");
    const fs::path net = dir / (model + "_pixel_D_A.pth"), io = dir / (model + "_io_pixel.pth");
    pth::write_pth(net.string(), exporting::export_network({ckpt.string(), "D_A", "official"}).state);
    const Tensor px = image(pd->options().input_nc, 9, 13);
    write_io(io, px, pd->forward(px));
    const bool revgan = model == "revgan_paired";
    args.insert(args.end(), {"pixel", net.string(), io.string(), std::to_string(pd->options().input_nc), "2",
                             revgan ? "1" : "0", revgan ? "1" : "0", "+"});
  }

  // RevGAN's five generator networks (the official code's names), both directions.
  const fs::path revgan = make_checkpoint("revgan_unpaired", dir);
  const training::LoadedGenerators r = training::load_generators(revgan.string());
  for (const std::string net : {"G_A_enc", "G_core", "G_A_dec", "G_B_enc", "G_B_dec"})
    pth::write_pth((dir / ("net_" + net + ".pth")).string(),
                   exporting::export_network({revgan.string(), net, "official"}).state);
  const Tensor ra = image(3, 16, 10), rb = image(2, 16, 11);
  write_io(dir / "io_AtoB.pth", ra, r.generators->g_xy(ra));
  write_io(dir / "io_BtoA.pth", rb, r.generators->g_yx(rb));
  args.insert(args.end(), {"revgan", (dir / "net_").string(), (dir / "io_AtoB.pth").string(),
                           (dir / "io_BtoA.pth").string(), "3", "2", "2", "2", "+"});

  // pix2pix with their U-Net (batch norm, dropout): one training step moves the running
  // statistics; PyTorch's eval-mode outputs must use them as ours do.
  {
    training::TrainOptions o = tiny("pix2pix");
    o.netG = "unet_128";
    o.input_nc = o.output_nc = 1;
    o.crop_size = 128;
    training::Trainer trainer(training::resolve_options(o));
    Generator gen(23);
    trainer.train_step(randn({2, 1, 128, 128}, gen), randn({2, 1, 128, 128}, gen));
    // Weights far from their initialisation, so the output is not near zero.
    for (Tensor p : trainer.generators().parameters()) p.copy_from(randn(p.shape(), gen, 0.0, 0.3, p.dtype()));
    const fs::path ckpt = dir / "unet.h5";
    trainer.save(ckpt.string(), {});
    const training::LoadedGenerators u = training::load_generators(ckpt.string());
    u.generators->eval();
    pth::write_pth((dir / "unet_G.pth").string(), exporting::export_network({ckpt.string(), "G", "official"}).state);
    const Tensor ux = image(1, 128, 12);
    write_io(dir / "io_unet.pth", ux, u.generators->g_xy(ux));
    args.insert(args.end(), {"unet", (dir / "unet_G.pth").string(), (dir / "io_unet.pth").string(), "1", "1", "7",
                             std::to_string(o.ngf), "1"});
  }

  test::ChildOptions no_bytecode;  // nothing written into the source tree (tests/interop/__pycache__)
  no_bytecode.env.emplace_back("PYTHONDONTWRITEBYTECODE", "1");
  const test::ChildResult result = test::run_program(args, no_bytecode);
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  fs::remove_all(dir);
}
