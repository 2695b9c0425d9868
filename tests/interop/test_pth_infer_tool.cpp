// revgan_infer with PyTorch checkpoints: a pytorch-CycleGAN generator and the official RevGAN
// layout translate a folder, their option names parse, and mistakes exit with the documented
// status (2 usage, 1 error) and a message.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "data/image.hpp"
#include "tests/interop/interop_test_util.hpp"
#include "tests/support/subprocess.hpp"

using namespace revgan;
namespace fs = std::filesystem;

namespace {

struct Folders {
  fs::path root, input, output;
};

Folders folders() {
  const fs::path root = fs::temp_directory_path() / fmt::format("revgan-pth-infer-{}", ::getpid());
  fs::remove_all(root);
  fs::create_directories(root / "in");
  data::Image img = data::Image::blank(22, 18, 3);  // sides not multiples of 4: padded and cropped back
  for (std::size_t i = 0; i < img.samples.size(); ++i) img.samples[i] = static_cast<float>((i * 37) % 256);
  data::write_png(img, root / "in" / "a.png");
  return {root, root / "in", root / "out"};
}

test::ChildResult infer(const Folders& f, std::vector<std::string> args) {
  args.insert(args.begin(), {REVGAN_INFER_PATH, "--input", f.input.string(), "--output", f.output.string(), "--quiet"});
  return test::run_program(args);
}

}  // namespace

TEST_CASE("revgan_infer: a pytorch-CycleGAN .pth translates a folder", "[tool]") {
  const Folders f = folders();
  const auto r = infer(f, {"--checkpoint", test::interop_data("resnet6_legacy.pth").string(), "--netG",
                           "resnet_6blocks", "--ngf", "2", "--no_dropout"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const data::Image out = data::read_image(f.output / "a.png");
  REQUIRE((out.width == 22 && out.height == 18 && out.channels == 3));
  fs::remove_all(f.root);
}

TEST_CASE("revgan_infer: a pix2pix U-Net with batch norm translates a folder, with and without --eval", "[tool]") {
  const Folders f = folders();
  const std::string pth = test::interop_data("unet128_batch_zip.pth").string();
  // --eval; batch statistics without dropout; batch statistics with dropout (their test.py's default).
  for (const std::vector<std::string>& mode : {std::vector<std::string>{"--eval"}, {"--no_dropout"}, {}}) {
    std::vector<std::string> args{"--checkpoint", pth,     "--netG",     "unet_128", "--ngf",       "2",
                                  "--norm",       "batch", "--input_nc", "1",        "--output_nc", "1"};
    args.insert(args.end(), mode.begin(), mode.end());
    const auto r = infer(f, args);
    INFO(mode.size() << "\n" << r.output);
    REQUIRE(r.exit_code == 0);
    const data::Image out = data::read_image(f.output / "a.png");
    // 22 x 18 is mirror-padded to 128 x 128 for the seven halvings and cropped back.
    REQUIRE((out.width == 22 && out.height == 18 && out.channels == 1));
  }
  const auto r = infer(f, {"--checkpoint", pth, "--netG", "unet_128", "--ngf", "2", "--norm", "batch", "--input_nc",
                           "1", "--output_nc", "1", "--tile", "64"});
  REQUIRE(r.exit_code == 1);
  REQUIRE_THAT(r.output, Catch::Contains("whole images only"));
  fs::remove_all(f.root);
}

TEST_CASE("revgan_infer: the official RevGAN layout translates both ways", "[tool]") {
  const Folders f = folders();
  const std::string core = test::interop_data("revgan_zip/latest_net_G_core.pth").string();
  for (const auto& [direction, channels] : {std::pair{"AtoB", 1}, {"BtoA", 3}}) {
    const auto r = infer(f, {"--checkpoint", core, "--netG", "resnet_6blocks", "--ngf", "2", "--output_nc", "1",
                             "--direction", direction});
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    REQUIRE(data::read_image(f.output / "a.png").channels == channels);
  }
  fs::remove_all(f.root);
}

TEST_CASE("revgan_infer: .pth option mistakes", "[tool]") {
  const Folders f = folders();
  const std::string pth = test::interop_data("resnet6_zip.pth").string();
  auto r = infer(f, {"--checkpoint", pth, "--netG", "resnet_6blocks", "--ngf", "2"});
  REQUIRE(r.exit_code == 1);
  REQUIRE_THAT(r.output, Catch::Contains("pass --no_dropout"));
  r = infer(f, {"--checkpoint", pth, "--ngf", "two", "--no_dropout"});
  REQUIRE(r.exit_code == 2);
  REQUIRE_THAT(r.output, Catch::Contains("--ngf"));
  r = infer(f, {"--checkpoint", (f.root / "run.h5").string(), "--ngf", "2"});
  REQUIRE(r.exit_code == 2);
  REQUIRE_THAT(r.output, Catch::Contains("applies to .pth checkpoints only"));
  r = infer(f, {"--checkpoint", pth, "--volume"});
  REQUIRE(r.exit_code == 2);
  r = test::run_program({REVGAN_INFER_PATH, "--help"});
  REQUIRE(r.exit_code == 0);
  REQUIRE_THAT(r.output, Catch::Contains("--no_dropout"));
  fs::remove_all(f.root);
}
