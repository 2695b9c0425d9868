// The revgan_train command line: --help, exit code 2 for usage errors and 1 for runtime errors,
// a tiny run, and SIGINT saving a checkpoint before a clean exit.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "engine/io/checkpoint.hpp"
#include "tests/support/subprocess.hpp"
#include "tests/training/training_test_util.hpp"

using namespace revgan;
using test::read_text;

#ifdef REVGAN_TRAIN_PATH
namespace {

// The children run tiny models; libgomp's spinning threads only slow them down on a busy machine.
void quiet_openmp_for_children() { ::setenv("OMP_WAIT_POLICY", "passive", 1); }

int run_tool(const std::string& args, const std::filesystem::path& log) {
  quiet_openmp_for_children();
  return test::run_tool(REVGAN_TRAIN_PATH, args, log);
}

std::string tiny_args(const test::TempDir& dir, const std::string& name) {
  return fmt::format(
      "--dataroot '{}' --checkpoints_dir '{}' --name {} --ngf 4 --ndf 8 --depth 2 --load_size 36 --crop_size 32 "
      "--num_threads 0 --print_freq 2",
      (dir / "data").string(), (dir / "ck").string(), name);
}

}  // namespace

TEST_CASE("revgan_train: help, usage errors, runtime errors and a tiny run", "[tool]") {
  test::TempDir dir("train-tool");
  test::write_tiny_dataset(dir / "data", 2);
  const auto log = dir / "log.txt";
  REQUIRE(run_tool("--help", log) == 0);
  const std::string help = read_text(log);
  for (const char* needle : {"--dataroot", "--model", "--lambda_identity", "--[no_]memory_saving", "--continue_train",
                             "--config FILE", "(default: 0.0002)", "(default: 100)", "(default: './checkpoints')"})
    CHECK_THAT(help, Catch::Contains(needle));

  CHECK(run_tool("--dataroot x --frobnicate 3", log) == 2);
  CHECK_THAT(read_text(log), Catch::Contains("--frobnicate"));
  CHECK(run_tool("--dataroot x --ngf many", log) == 2);
  CHECK(run_tool("--dataroot x --model stylegan", log) == 2);
  CHECK(run_tool("--name x", log) == 2);
  CHECK_THAT(read_text(log), Catch::Contains("--dataroot"));
  CHECK(run_tool(fmt::format("--dataroot '{}' --checkpoints_dir '{}'", (dir / "absent").string(),
                             (dir / "ck").string()),
                 log) == 1);
  CHECK_THAT(read_text(log), Catch::Contains("error") && Catch::Contains("absent"));

  REQUIRE(run_tool(tiny_args(dir, "tiny") + " --n_epochs 1 --n_epochs_decay 0", log) == 0);
  const std::string out = read_text(log);
  CHECK_THAT(out, Catch::Contains("it/s") && Catch::Contains("ETA") && Catch::Contains("G_GAN_A"));
  CHECK_THAT(out, Catch::Contains("end of epoch 1"));
  CHECK(std::filesystem::exists(dir / "ck" / "tiny" / "latest.h5"));
}

TEST_CASE("revgan_train: --netD pixel trains pix2pix on images smaller than the PatchGAN takes", "[tool]") {
  test::TempDir dir("train-pixel");
  test::write_tiny_dataset(dir / "data", 2, 16);
  const auto log = dir / "log.txt";
  const std::string args = fmt::format(
      "--dataroot '{}' --checkpoints_dir '{}' --model pix2pix --ngf 2 --ndf 4 --depth 1 --load_size 16 "
      "--crop_size 16 --num_threads 0 --n_epochs 1 --n_epochs_decay 0",
      (dir / "data").string(), (dir / "ck").string());
  REQUIRE(run_tool(args + " --name pixel --netD pixel", log) == 0);
  CHECK_THAT(read_text(log), Catch::Contains("end of epoch 1"));
  const io::CheckpointMeta meta = io::read_checkpoint_meta((dir / "ck" / "pixel" / "latest.h5").string());
  CHECK_THAT(meta.config, Catch::Contains(R"("netD": "pixel")"));
  // The default PatchGAN needs 24x24.
  REQUIRE(run_tool(args + " --name patch", log) == 1);
  CHECK_THAT(read_text(log), Catch::Contains("at least 24x24"));
}

namespace {

// Runs a one-epoch revgan_train with `variable` set to `value` (restored after); its log.
std::string train_log_with(const char* variable, const char* value, const char* name, int expected_status) {
  test::TempDir dir(name);
  test::write_tiny_dataset(dir / "data", 2);
  const auto log = dir / "log.txt";
  const char* before = std::getenv(variable);
  const std::string saved = before == nullptr ? "" : before;
  ::setenv(variable, value, 1);
  const int status = run_tool(tiny_args(dir, name) + " --n_epochs 1 --n_epochs_decay 0", log);
  if (before == nullptr) ::unsetenv(variable);
  else ::setenv(variable, saved.c_str(), 1);
  CHECK(status == expected_status);
  return read_text(log);
}

}  // namespace

#ifdef REVGAN_WITH_ONEDNN
TEST_CASE("revgan_train: an unreadable REVGAN_WINOGRAD is refused by name, not taken as the default", "[tool]") {
  CHECK_THAT(train_log_with("REVGAN_WINOGRAD", "yes", "wino", 1),
             Catch::Contains("REVGAN_WINOGRAD='yes'") && Catch::Contains("always"));
}
#endif

TEST_CASE("revgan_train: REVGAN_CONCURRENT_BRANCHES 0 trains, an unreadable value is refused by name", "[tool]") {
  CHECK_THAT(train_log_with("REVGAN_CONCURRENT_BRANCHES", "0", "branches-off", 0), Catch::Contains("end of epoch 1"));
  CHECK_THAT(train_log_with("REVGAN_CONCURRENT_BRANCHES", "on", "branches-bad", 1),
             Catch::Contains("REVGAN_CONCURRENT_BRANCHES='on'") && Catch::Contains("one after the other"));
}

TEST_CASE("revgan_train: SIGINT saves latest.h5 and exits cleanly", "[tool]") {
  test::TempDir dir("train-sigint");
  test::write_tiny_dataset(dir / "data", 2);
  quiet_openmp_for_children();
  const auto log = dir / "log.txt";
  const std::string cmd =
      fmt::format("exec '{}' {} --n_epochs 1000 > '{}' 2>&1", REVGAN_TRAIN_PATH, tiny_args(dir, "long"), log.string());
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until a few steps are logged, then interrupt.
  const auto csv = dir / "ck" / "long" / "loss_log.csv";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto lines = [&] {
    const std::string text = read_text(csv);
    return std::count(text.begin(), text.end(), '\n');
  };
  while (lines() < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(pid, SIGINT);
  int status = 0;
  pid_t done = 0;
  while ((done = ::waitpid(pid, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (done == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    FAIL("revgan_train did not stop after SIGINT:\n" << read_text(log));
  }
  INFO(read_text(log));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  CHECK_THAT(read_text(log), Catch::Contains("--continue_train"));
  const auto latest = dir / "ck" / "long" / "latest.h5";
  REQUIRE(std::filesystem::exists(latest));
  const io::CheckpointMeta meta = io::read_checkpoint_meta(latest.string());
  CHECK(meta.step >= 2);
  CHECK(meta.step == static_cast<int64_t>(lines()) - 1);  // every logged step is in the checkpoint
}
#endif
