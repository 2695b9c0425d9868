// The tools on a CUDA device: `bench train --device cuda --preset small` measures every family,
// and `revgan_train --device cuda` trains a tiny model for a few steps and saves a checkpoint.
// Both name the device in their first lines; an emulated device says that it is one.
#include <cuda_runtime_api.h>  // the emulator's defines REVGAN_CUDA_EMULATED

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "data/image.hpp"
#include "tests/data/data_test_util.hpp"
#include "tests/support/cuda_skip.hpp"
#include "tests/support/subprocess.hpp"

using namespace revgan;

namespace {

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// An unpaired dataset of n smooth 32x32 images per domain.
void write_unpaired_dataset(const std::filesystem::path& root, int n) {
  for (const char* sub : {"trainA", "trainB"}) std::filesystem::create_directories(root / sub);
  for (int i = 0; i < n; ++i) {
    data::write_png(test::smooth_image(32, 32, 3, 100 + i), root / "trainA" / fmt::format("a{}.png", i));
    data::write_png(test::smooth_image(32, 32, 3, 200 + i), root / "trainB" / fmt::format("b{}.png", i));
  }
}

// The children run small models; libgomp's spinning threads only slow them down.
test::ChildOptions quiet_openmp() {
  test::ChildOptions o;
  o.env = {{"OMP_WAIT_POLICY", "passive"}};
  return o;
}

// The program at `built` (its path in the build tree), or the one named by the environment variable
// `env`: the GPU kit (tools/gpu_check.sh) runs this binary from a bundle where the build tree
// does not exist, and points REVGAN_BENCH / REVGAN_TRAIN at the bundle's copies.
std::string program(const char* env, const char* built) {
  const char* given = std::getenv(env);
  return given != nullptr && *given != '\0' ? std::string(given) : std::string(built);
}

// The emulator's device name; a real GPU reports its own.
bool emulated() {
#ifdef REVGAN_CUDA_EMULATED
  return true;
#else
  return false;
#endif
}

}  // namespace

#if defined(REVGAN_BENCH_PATH) && defined(REVGAN_TRAIN_PATH)

TEST_CASE("cuda tools: bench train --device cuda runs the small preset", "[cuda][tool]") {
  test::skip_without_cuda_device();
  test::ChildOptions options = quiet_openmp();
  options.env.emplace_back("REVGAN_CUDNN_WORKSPACE", "fastest");
  const test::ChildResult r = test::run_program(
      {program("REVGAN_BENCH", REVGAN_BENCH_PATH), "train", "--device", "cuda", "--preset", "small"}, options);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::StartsWith("device: cuda:0 ("));
  // The workspace policy from the environment, named on the device line and in every JSON line.
  CHECK_THAT(r.output, Catch::Contains("; cuDNN workspace fastest)"));
  CHECK(count(r.output, "\"cudnn_workspace\":\"fastest\"") == 12);
  if (emulated()) CHECK_THAT(r.output, Catch::Contains("emulator"));
  // Seven configurations; the five reversible ones run in both modes.
  CHECK(count(r.output, "{\"bench\":\"train\"") == 12);
  CHECK(count(r.output, "\"device\":\"cuda:0\"") == 12);
}

TEST_CASE("cuda tools: revgan_train --device cuda trains a few steps and saves a checkpoint", "[cuda][tool]") {
  test::skip_without_cuda_device();
  test::ChildOptions default_workspace = quiet_openmp();
  default_workspace.env.emplace_back("REVGAN_CUDNN_WORKSPACE", "");  // empty: the default policy
  test::TempDir dir("cuda-train-tool");
  write_unpaired_dataset(dir / "data", 3);
  const test::ChildResult r = test::run_program({program("REVGAN_TRAIN", REVGAN_TRAIN_PATH),
                                                 "--dataroot",
                                                 (dir / "data").string(),
                                                 "--checkpoints_dir",
                                                 (dir / "ck").string(),
                                                 "--name",
                                                 "tiny",
                                                 "--device",
                                                 "cuda",
                                                 "--ngf",
                                                 "4",
                                                 "--ndf",
                                                 "8",
                                                 "--depth",
                                                 "2",
                                                 "--load_size",
                                                 "36",
                                                 "--crop_size",
                                                 "32",
                                                 "--num_threads",
                                                 "0",
                                                 "--print_freq",
                                                 "1",
                                                 "--n_epochs",
                                                 "1",
                                                 "--n_epochs_decay",
                                                 "0"},
                                                default_workspace);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("on cuda:0 ("));
  CHECK_THAT(r.output, Catch::Contains("; cuDNN workspace lean)"));  // the default
  if (emulated()) CHECK_THAT(r.output, Catch::Contains("emulator"));
  CHECK_THAT(r.output, Catch::Contains("end of epoch 1"));
  CHECK(std::filesystem::exists(dir / "ck" / "tiny" / "latest.h5"));
}

#endif
