// revgan_train on the data real users have: images of mixed sizes, images too small for the
// networks, a file that stops decoding mid-epoch, temporary files of killed saves, and a resume
// with options that do not fit the checkpoint. Each must end in a clear message naming the file
// or option, and nothing learned may be lost.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "engine/io/atomic_file.hpp"
#include "tests/support/subprocess.hpp"
#include "tests/training/training_test_util.hpp"

using namespace revgan;
using test::read_text;
namespace fs = std::filesystem;

#ifdef REVGAN_TRAIN_PATH
namespace {

int train(const std::string& args, const fs::path& log) { return test::run_tool(REVGAN_TRAIN_PATH, args, log); }

std::string base_args(const test::TempDir& dir, const std::string& name) {
  return fmt::format("--dataroot '{}' --checkpoints_dir '{}' --name {} --ngf 2 --ndf 4 --depth 1 --num_threads 0 "
                     "--print_freq 1 --display_freq 0 --n_epochs 1 --n_epochs_decay 0",
                     (dir / "data").string(), (dir / "ck").string(), name);
}

// trainA / trainB with images of different sizes (all multiples of 4, at least the 24x24 the
// default discriminator needs).
void write_mixed_sizes(const fs::path& root) {
  fs::create_directories(root / "trainA");
  fs::create_directories(root / "trainB");
  data::write_png(test::smooth_image(32, 32, 3, 1), root / "trainA" / "a0.png");
  data::write_png(test::smooth_image(48, 40, 3, 2), root / "trainA" / "a1.png");
  data::write_png(test::smooth_image(40, 32, 3, 3), root / "trainA" / "a2.png");
  data::write_png(test::smooth_image(32, 48, 3, 4), root / "trainB" / "b0.png");
  data::write_png(test::smooth_image(24, 28, 3, 5), root / "trainB" / "b1.png");
}

// A PNG whose header and chunk structure are valid (so the dataset accepts it when built) but
// whose compressed stream names no valid compression method, so decoding it fails when its
// batch is loaded.
void write_undecodable_png(const fs::path& path, uint64_t seed) {
  data::write_png(test::random_image(32, 32, 3, seed), path);
  std::string bytes = read_text(path);
  const std::size_t idat = bytes.find("IDAT");
  REQUIRE(idat != std::string::npos);
  bytes[idat + 4] = 0;  // the zlib header: compression method 0 does not exist
  bytes[idat + 5] = 0;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEST_CASE("revgan_train: unpaired images of mixed sizes train with the image pool", "[tool]") {
  test::TempDir dir("train-mixed");
  write_mixed_sizes(dir / "data");
  const auto log = dir / "log.txt";
  for (const char* preprocess : {"none", "scale_width"}) {
    const std::string name = fmt::format("mixed_{}", preprocess);
    REQUIRE(train(base_args(dir, name) + fmt::format(" --preprocess {} --load_size 40 --pool_size 50 --n_epochs 2",
                                                     preprocess),
                  log) == 0);
    INFO(read_text(log));
    CHECK(fs::exists(dir / "ck" / name / "latest.h5"));
  }
  // Batches of more than one image need one size: refused at start-up, naming two files.
  REQUIRE(train(base_args(dir, "mixed_batch") + " --preprocess none --batch_size 2", log) == 1);
  CHECK_THAT(read_text(log), Catch::Contains("a0.png (32x32)") && Catch::Contains("a1.png (48x40)") &&
                                 Catch::Contains("--batch_size 1"));
  CHECK(!fs::exists(dir / "ck" / "mixed_batch" / "latest.h5"));
}

TEST_CASE("revgan_train: an image too small for the networks is named when the dataset is built", "[tool]") {
  test::TempDir dir("train-tiny-image");
  write_mixed_sizes(dir / "data");
  data::write_png(test::smooth_image(1, 1, 3, 9), dir / "data" / "trainB" / "dot.png");
  const auto log = dir / "log.txt";
  REQUIRE(train(base_args(dir, "tiny") + " --preprocess none", log) == 1);
  CHECK_THAT(read_text(log), Catch::Contains("dot.png is 1x1") && Catch::Contains("at least 24x24"));
  // A smaller discriminator takes smaller images; the generators still need 8x8.
  REQUIRE(train(base_args(dir, "tiny1") + " --preprocess none --n_layers_D 1", log) == 1);
  CHECK_THAT(read_text(log), Catch::Contains("dot.png is 1x1") && Catch::Contains("at least 8x8"));
  // The pixel discriminator takes any size; the generators' minimum remains.
  REQUIRE(train(base_args(dir, "tiny_pixel") + " --preprocess none --netD pixel", log) == 1);
  CHECK_THAT(read_text(log), Catch::Contains("dot.png is 1x1") && Catch::Contains("at least 8x8"));
}

TEST_CASE("revgan_train: a file unreadable mid-epoch saves latest, --skip_unreadable skips and counts it", "[tool]") {
  test::TempDir dir("train-unreadable");
  test::write_tiny_dataset(dir / "data", 3);
  write_undecodable_png(dir / "data" / "trainA" / "a1.png", 5);
  const auto log = dir / "log.txt";
  const std::string args = base_args(dir, "bad") + " --load_size 36 --crop_size 32 --serial_batches";
  REQUIRE(train(args, log) == 1);
  const std::string out = read_text(log);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("a1.png") && Catch::Contains("--continue_train") &&
                      Catch::Contains("--skip_unreadable") && Catch::Contains("latest.h5"));
  // The state before the failed step was saved (one step done: a0), and resuming works once the
  // file is replaced.
  REQUIRE(fs::exists(dir / "ck" / "bad" / "latest.h5"));
  data::write_png(test::smooth_image(32, 32, 3, 101), dir / "data" / "trainA" / "a1.png");
  REQUIRE(train(args + " --continue_train", log) == 0);
  CHECK_THAT(read_text(log), Catch::Contains("resuming") && Catch::Contains("end of epoch 1"));

  write_undecodable_png(dir / "data" / "trainA" / "a1.png", 6);
  REQUIRE(train(base_args(dir, "skip") + " --load_size 36 --crop_size 32 --skip_unreadable", log) == 0);
  const std::string skipped = read_text(log);
  INFO(skipped);
  CHECK_THAT(skipped, Catch::Contains("skipped unreadable") && Catch::Contains("a1.png") &&
                          Catch::Contains("1 unreadable files skipped"));
}

TEST_CASE("revgan_train: removes temporary files of killed saves, never a live writer's", "[tool]") {
  test::TempDir dir("train-stale");
  test::write_tiny_dataset(dir / "data", 2);
  const fs::path ck = dir / "ck" / "stale";
  fs::create_directories(ck);
  // A writer that died: a child that exited and was reaped.
  const pid_t dead = ::fork();
  REQUIRE(dead >= 0);
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  const fs::path stale = ck / fmt::format(".tmp-{}-latest.h5", dead);
  test::write_text(stale, "half a checkpoint");
  // A live writer (this process) holding its lock.
  io::AtomicFile live(ck / "5.h5", "test");
  live.write("x", 1);
  const auto log = dir / "log.txt";
  REQUIRE(train(fmt::format("--dataroot '{}' --checkpoints_dir '{}' --name stale --ngf 2 --ndf 4 --depth 1 "
                            "--load_size 36 --crop_size 32 --num_threads 0 --n_epochs 1 --n_epochs_decay 0",
                            (dir / "data").string(), (dir / "ck").string()),
                log) == 0);
  CHECK_THAT(read_text(log), Catch::Contains("removed") && Catch::Contains(stale.filename().string()));
  CHECK(!fs::exists(stale));
  CHECK(fs::exists(live.temp_path()));
}

TEST_CASE("revgan_train: resuming with other network options names them", "[tool]") {
  test::TempDir dir("train-resume-mismatch");
  test::write_tiny_dataset(dir / "data", 2);
  const auto log = dir / "log.txt";
  const std::string common = fmt::format(
      "--dataroot '{}' --checkpoints_dir '{}' --name r --ndf 4 --load_size 36 --crop_size 32 --num_threads 0 "
      "--n_epochs 1 --n_epochs_decay 0",
      (dir / "data").string(), (dir / "ck").string());
  REQUIRE(train(common + " --ngf 2 --depth 1 --netD pixel", log) == 0);
  REQUIRE(train(common + " --ngf 4 --depth 2 --continue_train --n_epochs 2", log) == 1);
  CHECK_THAT(read_text(log), Catch::Contains("--ngf 2 in the checkpoint vs --ngf 4 given") &&
                                 Catch::Contains("--depth 1 in the checkpoint vs --depth 2 given") &&
                                 Catch::Contains("--netD pixel in the checkpoint vs --netD n_layers given"));
}
#endif
