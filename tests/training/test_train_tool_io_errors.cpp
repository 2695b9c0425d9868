// revgan_train when its output cannot be written, in ways that hold even as root: a
// checkpoints_dir below a regular file (mkdir fails with ENOTDIR), and a file size limit
// (RLIMIT_FSIZE, SIGXFSZ ignored, so write() fails with EFBIG) that makes a checkpoint write fail
// part-way after a good checkpoint exists.
#include <catch2/catch.hpp>

#include <set>

#include "engine/io/checkpoint.hpp"
#include "training/model_factory.hpp"
#include "training/trainer.hpp"
#include "tests/support/subprocess.hpp"
#include "tests/training/training_test_util.hpp"

using namespace revgan;
using test::read_text;

#ifdef REVGAN_TRAIN_PATH
namespace {

std::vector<std::string> tiny_run(const test::TempDir& dir, const std::string& checkpoints_dir) {
  std::vector<std::string> args{REVGAN_TRAIN_PATH, "--dataroot", (dir / "data").string(), "--checkpoints_dir",
                                checkpoints_dir};
  for (const char* a : {"--name", "run", "--ngf", "4", "--ndf", "8", "--depth", "2", "--load_size", "36",
                        "--crop_size", "32", "--num_threads", "0", "--n_epochs_decay", "0"})
    args.emplace_back(a);
  return args;
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// Every path under `folder`, relative to it.
std::set<std::string> tree(const std::filesystem::path& folder) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(folder))
    out.insert(std::filesystem::relative(e.path(), folder).string());
  return out;
}

const test::ChildOptions passive_openmp{-1, {{"OMP_WAIT_POLICY", "passive"}}};

}  // namespace

TEST_CASE("revgan_train: a checkpoints_dir below a regular file fails cleanly", "[tool]") {
  test::TempDir dir("train-notdir");
  test::write_tiny_dataset(dir / "data", 1);
  test::write_text(dir / "blocker", "not a folder");
  const std::set<std::string> before = tree(dir.path());
  const std::filesystem::path bad = dir / "blocker" / "checkpoints";
  const test::ChildResult r = test::run_program(with(tiny_run(dir, bad.string()), {"--n_epochs", "1"}), passive_openmp);
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("cannot create the experiment folder '" + (bad / "run").string() + "'") &&
                           Catch::Contains("Not a directory"));
  CHECK(tree(dir.path()) == before);  // nothing written anywhere
  CHECK(read_text(dir / "blocker") == "not a folder");
}

TEST_CASE("revgan_train: a checkpoint write failing part-way keeps the previous checkpoint", "[tool]") {
  test::TempDir dir("train-fsize");
  test::write_tiny_dataset(dir / "data", 2);
  const std::string ck = (dir / "ck").string();
  const test::ChildResult first = test::run_program(with(tiny_run(dir, ck), {"--n_epochs", "1"}), passive_openmp);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  const auto run_dir = dir / "ck" / "run";
  const auto latest = run_dir / "latest.h5";
  const std::string good = read_text(latest);
  // The checkpoint (about 1.5 MB) cannot fit under 64 KiB; the loss log, options, sample grids
  // (about 25 KB) and report page can.
  REQUIRE(good.size() > 256 * 1024);

  test::ChildOptions limited = passive_openmp;
  limited.max_file_bytes = 64 * 1024;
  const test::ChildResult r =
      test::run_program(with(tiny_run(dir, ck), {"--n_epochs", "2", "--continue_train"}), limited);
  INFO(r.output);
  CHECK(r.exit_code == 1);  // an error exit, not a crash (term_signal 0)
  CHECK(r.term_signal == 0);
  CHECK_THAT(r.output, Catch::Contains("cannot save the training state to '" + latest.string() + "'") &&
                           Catch::Contains("is unchanged"));
  CHECK(read_text(latest) == good);  // byte for byte
  CHECK(io::read_checkpoint_meta(latest.string()).epoch == 2);
  training::Trainer trainer(training::load_generators(latest.string()).options);
  CHECK(trainer.load(latest.string()).total_iters == 2);
  for (const std::string& name : tree(run_dir)) {
    INFO(name);
    CHECK(name.find("tmp") == std::string::npos);  // no temporary or partial file left
  }
}
#endif
