// Data-parallel training under mpirun: two ranks with batch 1 train the weights one process with
// batch 2 trains (paired and unpaired models, pool off), checkpoints written by two ranks resume
// exactly, and a failing or killed rank stops the whole group promptly. Skipped (exit 77) where
// MPI is not built or mpirun is missing.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <thread>

#include "engine/distributed/communicator.hpp"
#include "engine/io/checkpoint.hpp"
#include "tests/support/subprocess.hpp"
#include "tests/training/training_test_util.hpp"
#include "training/model_factory.hpp"

using namespace revgan;
using test::read_text;
namespace fs = std::filesystem;

#ifdef REVGAN_TRAIN_PATH
namespace {

void skip_without_mpi() {
  if (!distributed::built_with_mpi()) {
    WARN("this build has no MPI: data-parallel tests skipped");
    std::exit(77);
  }
  if (std::system("command -v mpirun > /dev/null 2>&1") != 0) {
    WARN("mpirun not found: data-parallel tests skipped");
    std::exit(77);
  }
}

// mpirun as root, with more ranks than cores allowed; the ranks inherit OMP_NUM_THREADS.
std::string mpirun(int ranks) {
  return fmt::format("mpirun --allow-run-as-root --oversubscribe -np {} --mca btl self,vader '{}'", ranks,
                     REVGAN_TRAIN_PATH);
}

int shell(const std::string& command, const fs::path& log) {
  const int status = std::system(fmt::format("{} > '{}' 2>&1", command, log.string()).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string run_args(const test::TempDir& dir, const std::string& model, const std::string& name, int batch) {
  return fmt::format(
      "--dataroot '{}' --checkpoints_dir '{}' --name {} --model {} --ngf 4 --ndf 8 --depth 2 --load_size 36 "
      "--crop_size 32 --num_threads 0 --pool_size 0 --batch_size {} --n_epochs 1 --n_epochs_decay 0 --seed 3 "
      "--display_freq 0 --print_freq 100",
      (dir / "data").string(), (dir / "ck").string(), name, model, batch);
}

// Starts `mpirun -np 2 revgan_train <args>` in the background (output to `log`) and returns the
// launcher's pid.
pid_t launch_two_ranks(const std::string& args, const fs::path& log) {
  const pid_t launcher = ::fork();
  REQUIRE(launcher >= 0);
  if (launcher == 0) {
    const std::string cmd = fmt::format("exec {} {} > '{}' 2>&1", mpirun(2), args, log.string());
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return launcher;
}

// The pids of the ranks of run `name` (processes of revgan_train with --name name), not the launcher.
std::vector<pid_t> rank_pids(const std::string& name, pid_t launcher) {
  const std::string pids =
      test::run_program({"/usr/bin/pgrep", "-f", fmt::format("{}.*--name {} ", REVGAN_TRAIN_PATH, name)}).output;
  std::vector<pid_t> ranks;
  for (std::size_t at = 0; at < pids.size();) {
    const std::size_t end = pids.find('\n', at);
    const std::string line = pids.substr(at, end - at);
    if (!line.empty() && static_cast<pid_t>(std::stol(line)) != launcher) ranks.push_back(static_cast<pid_t>(std::stol(line)));
    at = end == std::string::npos ? pids.size() : end + 1;
  }
  return ranks;
}

// Waits up to `limit` for `launcher` to exit; kills it if it does not. Returns its wait status
// and the seconds it took, or nothing on the timeout.
std::optional<std::pair<int, double>> wait_for(pid_t launcher, std::chrono::seconds limit) {
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  pid_t done = 0;
  while ((done = ::waitpid(launcher, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() - start < limit)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (done == 0) {
    ::kill(launcher, SIGKILL);
    ::waitpid(launcher, &status, 0);
    return std::nullopt;
  }
  return std::pair{status, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

void wait_for_file(const fs::path& path) {
  for (int i = 0; i < 600 && !fs::exists(path); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(fs::exists(path));
}

// The generators' parameters of a training checkpoint, by name.
std::vector<std::pair<std::string, std::vector<double>>> generator_weights(const fs::path& checkpoint) {
  const training::LoadedGenerators loaded = training::load_generators(checkpoint.string());
  std::vector<std::pair<std::string, std::vector<double>>> out;
  for (const auto& [name, t] : loaded.generators->named_parameters()) out.emplace_back(name, t.to_vector());
  return out;
}

}  // namespace

TEST_CASE("mpirun -np 2 with batch 1 trains the weights of one process with batch 2", "[tool][mpi]") {
  skip_without_mpi();
  test::TempDir dir("dp-equal");
  test::write_tiny_dataset(dir / "data", 4);
  const auto log = dir / "log.txt";
  for (const char* model : {"revgan_paired", "revgan_unpaired"}) {
    INFO(model);
    const std::string one = fmt::format("{}_one", model), two = fmt::format("{}_two", model);
    REQUIRE(shell(fmt::format("'{}' {}", REVGAN_TRAIN_PATH, run_args(dir, model, one, 2)), log) == 0);
    REQUIRE(shell(fmt::format("{} {}", mpirun(2), run_args(dir, model, two, 1)), log) == 0);
    INFO(read_text(log));
    CHECK_THAT(read_text(log), Catch::Contains("data-parallel over MPI") && Catch::Contains("2 in all"));
    const auto single = generator_weights(dir / "ck" / one / "latest.h5");
    const auto parallel = generator_weights(dir / "ck" / two / "latest.h5");
    REQUIRE(single.size() == parallel.size());
    // Two steps of Adam (lr 2e-4) on gradients that differ only in float32 summation order.
    // Where an element has a real gradient, Adam's update lr * m / sqrt(v) changes as little as
    // the gradient (~1e-6 relative): nearly all elements agree to 1e-6. Where the true gradient
    // is zero or nearly so (conv biases in front of an instance norm, which removes them; weights
    // that see no signal), Adam normalises rounding noise into steps of about lr, in either
    // direction: such elements may differ by up to lr per step in each run, 2 lr K in all.
    const double lr = 2e-4, steps = 2;
    int64_t elements = 0, close = 0;
    double worst = 0;
    for (std::size_t i = 0; i < single.size(); ++i) {
      const auto& [name, a] = single[i];
      const auto& b = parallel[i].second;
      REQUIRE(name == parallel[i].first);
      for (std::size_t k = 0; k < a.size(); ++k) {
        const double d = std::abs(a[k] - b[k]);
        worst = std::max(worst, d);
        close += d <= 1e-6 ? 1 : 0;
        ++elements;
      }
    }
    INFO(close << " of " << elements << " elements within 1e-6, largest difference " << worst);
    CHECK(worst <= 2 * lr * steps);
    CHECK(static_cast<double>(close) >= 0.97 * static_cast<double>(elements));
    // And the networks compute the same function: translations of one batch agree.
    const auto g1 = training::load_generators((dir / "ck" / one / "latest.h5").string()).generators;
    const auto g2 = training::load_generators((dir / "ck" / two / "latest.h5").string()).generators;
    const Tensor x = test::batch_tensor(17, 1, 3, 32);
    const std::vector<double> y1 = g1->g_xy(x).to_vector(), y2 = g2->g_xy(x).to_vector();
    double out_diff = 0;
    for (std::size_t k = 0; k < y1.size(); ++k) out_diff = std::max(out_diff, std::abs(y1[k] - y2[k]));
    INFO("largest output difference " << out_diff);
    CHECK(out_diff <= 1e-5);
  }
}

TEST_CASE("checkpoints written by two ranks resume exactly under two ranks", "[tool][mpi]") {
  skip_without_mpi();
  test::TempDir dir("dp-resume");
  test::write_tiny_dataset(dir / "data", 4);
  const auto log = dir / "log.txt";
  // Unpaired with an image pool: each rank's pool and its RNG must survive the resume.
  const std::string common = run_args(dir, "revgan_unpaired", "straight", 1) + " --pool_size 3";
  REQUIRE(shell(fmt::format("{} {} --n_epochs 2", mpirun(2), common), log) == 0);
  const std::string parts = run_args(dir, "revgan_unpaired", "parts", 1) + " --pool_size 3";
  REQUIRE(shell(fmt::format("{} {} --n_epochs 1", mpirun(2), parts), log) == 0);
  REQUIRE(shell(fmt::format("{} {} --n_epochs 2 --continue_train", mpirun(2), parts), log) == 0);
  INFO(read_text(log));
  CHECK_THAT(read_text(log), Catch::Contains("resuming"));
  const io::CheckpointMeta meta = io::read_checkpoint_meta((dir / "ck" / "parts" / "latest.h5").string());
  CHECK(meta.extra.at("world_size") == "2");
  CHECK(meta.extra.contains("rank1.fake_B_pool_rng"));
  CHECK(generator_weights(dir / "ck" / "straight" / "latest.h5") == generator_weights(dir / "ck" / "parts" / "latest.h5"));
  // The same checkpoint under another number of ranks is refused, naming both.
  REQUIRE(shell(fmt::format("'{}' {} --n_epochs 3 --continue_train", REVGAN_TRAIN_PATH, parts), log) == 1);
  CHECK_THAT(read_text(log), Catch::Contains("written by 2 data-parallel process(es), this run has 1"));
}

TEST_CASE("an error on one rank stops every rank with its message", "[tool][mpi]") {
  skip_without_mpi();
  test::TempDir dir("dp-error");
  test::write_tiny_dataset(dir / "data", 4);
  // A file that passes the dataset's checks but does not decode: whichever rank loads it fails.
  data::write_png(test::random_image(32, 32, 3, 5), dir / "data" / "train" / "ab9.png");
  std::string bytes = read_text(dir / "data" / "train" / "ab9.png");
  const std::size_t idat = bytes.find("IDAT");
  REQUIRE(idat != std::string::npos);
  bytes[idat + 4] = 0;
  bytes[idat + 5] = 0;
  std::ofstream(dir / "data" / "train" / "ab9.png", std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  const auto log = dir / "log.txt";
  const auto start = std::chrono::steady_clock::now();
  const int code = shell(fmt::format("timeout 120 {} {}", mpirun(2), run_args(dir, "revgan_paired", "err", 1)), log);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(read_text(log));
  CHECK(code != 0);
  CHECK(code != 124);  // not the timeout: the group stopped by itself
  CHECK(seconds < 60);
  CHECK_THAT(read_text(log), Catch::Contains("ab9.png") && Catch::Contains("error on rank"));
}

TEST_CASE("a rank killed mid-run makes the others exit non-zero within a bounded time", "[tool][mpi][kill]") {
  skip_without_mpi();
  test::TempDir dir("dp-kill");
  test::write_tiny_dataset(dir / "data", 4);
  const auto log = dir / "log.txt";
  const pid_t launcher = launch_two_ranks(run_args(dir, "revgan_paired", "kill", 1) + " --n_epochs 100000", log);
  // Wait until training runs (the first checkpoint exists), then kill one rank outright.
  wait_for_file(dir / "ck" / "kill" / "latest.h5");
  const std::vector<pid_t> ranks = rank_pids("kill", launcher);
  REQUIRE(ranks.size() == 2);
  ::kill(ranks.back(), SIGKILL);
  const auto ended = wait_for(launcher, std::chrono::seconds(60));
  INFO(read_text(log));
  REQUIRE(ended.has_value());
  const int status = ended->first;
  CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));
  CHECK(ended->second < 60);
}

TEST_CASE("SIGINT to one rank stops every rank at the same step, saving latest", "[tool][mpi]") {
  skip_without_mpi();
  test::TempDir dir("dp-sigint");
  test::write_tiny_dataset(dir / "data", 4);
  const auto log = dir / "log.txt";
  const pid_t launcher = launch_two_ranks(run_args(dir, "revgan_paired", "int", 1) + " --n_epochs 100000", log);
  const fs::path latest = dir / "ck" / "int" / "latest.h5";
  wait_for_file(latest);
  const std::vector<pid_t> ranks = rank_pids("int", launcher);
  REQUIRE(ranks.size() == 2);
  ::kill(ranks.back(), SIGINT);
  const auto ended = wait_for(launcher, std::chrono::seconds(60));
  INFO(read_text(log));
  REQUIRE(ended.has_value());
  CHECK((WIFEXITED(ended->first) && WEXITSTATUS(ended->first) == 130));
  CHECK_THAT(read_text(log), Catch::Contains("stopped at epoch") && Catch::Contains("resume with --continue_train"));
  // The saved state is where both ranks stopped: a resume continues from it.
  const io::CheckpointMeta meta = io::read_checkpoint_meta(latest.string());
  CHECK(meta.step > 0);
}
#endif
