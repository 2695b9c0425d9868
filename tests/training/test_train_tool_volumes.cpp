// revgan_train on volumes from the command line (3D options in --help, a tiny revgan3d_paired
// run with its middle-slice sample grid and report), then revgan_infer --volume with the
// checkpoint that run wrote.
#include <catch2/catch.hpp>

#include <cmath>

#include "data/volume/volume_dataset.hpp"
#include "tests/support/subprocess.hpp"
#include "tests/training/training_test_util.hpp"

using namespace revgan;
using test::read_text;

#if defined(REVGAN_TRAIN_PATH) && defined(REVGAN_INFER_PATH)
TEST_CASE("revgan_train trains a 3D model on volumes and revgan_infer translates with its checkpoint", "[tool]") {
  test::TempDir dir("train-tool-3d");
  test::write_tiny_volumes(dir / "data", 2);
  const test::ChildOptions quiet{-1, {{"OMP_WAIT_POLICY", "passive"}}};

  const test::ChildResult help = test::run_program({REVGAN_TRAIN_PATH, "--help"}, quiet);
  REQUIRE(help.exit_code == 0);
  for (const char* needle : {"--patch_size VALUE", "(default: 24)", "--factor VALUE", "D,H,W", "(default: 2)",
                             "--patches_per_volume VALUE", "(default: 8)", "A/ (low-res) + B/ (high-res)"})
    CHECK_THAT(help.output, Catch::Contains(needle));

  const std::string ck = (dir / "ck").string();
  std::vector<std::string> args{REVGAN_TRAIN_PATH, "--dataroot", (dir / "data").string(), "--checkpoints_dir", ck};
  for (const char* a : {"--model", "revgan3d_paired", "--name", "vol", "--input_nc", "1", "--output_nc", "1", "--ngf",
                        "4", "--ndf", "4", "--depth", "1", "--n_layers_D", "1", "--patch_size", "8", "--factor", "2",
                        "--patches_per_volume", "1", "--n_epochs", "1", "--n_epochs_decay", "0", "--num_threads", "0",
                        "--print_freq", "1"})
    args.emplace_back(a);
  const test::ChildResult run = test::run_program(args, quiet);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Catch::Contains("G_L1_A") && Catch::Contains("end of epoch 1"));
  const auto run_dir = dir / "ck" / "vol";
  CHECK(std::filesystem::exists(run_dir / "latest.h5"));
  CHECK(std::filesystem::exists(run_dir / "index.html"));
  // The grid shows the middle slice of each 8^3 patch: rows real_A fake_B / real_B fake_A.
  const data::Image grid = data::read_image(run_dir / "samples" / "epoch001_iter00000002.png");
  CHECK(grid.width == 2 * 8 + 3 * 2);
  CHECK(grid.height == 2 * 8 + 3 * 2);

  // Inference: a 6x8x8 low-resolution volume comes back on the 12x16x16 grid.
  std::filesystem::create_directories(dir / "low");
  const data::Volume low = data::make_low_resolution(test::tiny_volume(77, 16), {2, 2, 2});
  data::write_nifti(dir / "low" / "x.nii.gz", data::crop(low, {0, 0, 0}, {6, 8, 8}));
  const test::ChildResult infer =
      test::run_program({REVGAN_INFER_PATH, "--volume", "--checkpoint", (run_dir / "latest.h5").string(), "--input",
                         (dir / "low").string(), "--output", (dir / "pred").string(), "--factor", "2", "--quiet"},
                        quiet);
  INFO(infer.output);
  REQUIRE(infer.exit_code == 0);
  const data::Volume pred = data::read_volume(dir / "pred" / "x.nii.gz");
  CHECK(pred.size() == data::Axes3{12, 16, 16});
  CHECK(pred.channels == 1);
  bool finite = true;
  for (float v : pred.data) finite = finite && std::isfinite(v);
  CHECK(finite);
}
#endif
