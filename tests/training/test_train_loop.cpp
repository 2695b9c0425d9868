// run_training: epochs over a real (tiny) dataset, checkpoints, loss log, observer calls, a
// stop request mid-epoch followed by --continue_train ending exactly where an uninterrupted run
// ends, and the notice of an adaptive CPU team shrinking next to a busy process.
#include <omp.h>

#include <catch2/catch.hpp>
#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "engine/core/cpu_usage.hpp"
#include "engine/io/checkpoint.hpp"
#include "training/model_factory.hpp"
#include "training/train_loop.hpp"
#include "tests/support/busy_process.hpp"
#include "tests/training/run_recorder.hpp"
#include "tests/training/training_test_util.hpp"

using namespace revgan;
using test::count_lines;
using test::Recorder;

TEST_CASE("run_training: interrupted and resumed run equals an uninterrupted one", "[tool]") {
  test::TempDir dir("train-loop");
  test::write_tiny_dataset(dir / "data", 2);
  training::TrainOptions o = test::tiny_options("revgan_unpaired");
  o.dataroot = (dir / "data").string();
  o.checkpoints_dir = (dir / "ck").string();
  o.n_epochs = 1;
  o.n_epochs_decay = 1;
  o.save_epoch_freq = 1;
  o.display_freq = 2;
  o.num_threads = 1;  // whole epochs come through the prefetching loader

  o.name = "straight";
  Recorder straight;
  const training::TrainRunResult full = training::run_training(training::resolve_options(o), straight);
  CHECK_FALSE(full.interrupted);
  CHECK(full.progress.total_iters == 4);
  CHECK(straight.iterations == std::vector<int64_t>{1, 2, 3, 4});
  CHECK(straight.epochs == std::vector<int64_t>{1, 2});
  CHECK(straight.samples == std::vector<int64_t>{2, 4});
  o.display_freq = 3;  // sampling does not change the training
  CHECK(straight.sample_names.front() == "real_A");
  CHECK(straight.lrs.front() == o.lr);
  CHECK(straight.lrs.back() == Approx(o.lr * 0.5));  // epoch 2 of 1 + 1: 1 - 1/2
  const auto run_dir = training::experiment_dir(o);
  for (const char* f : {"latest.h5", "1.h5", "2.h5", "train_opt.json", "loss_log.csv"})
    CHECK(std::filesystem::exists(run_dir / f));
  CHECK(count_lines(run_dir / "loss_log.csv") == 5);  // header + 4 steps
  const io::CheckpointMeta meta = io::read_checkpoint_meta((run_dir / "latest.h5").string());
  CHECK(meta.epoch == 3);
  CHECK(meta.step == 4);

  o.name = "resumed";
  std::atomic<bool> stop{false};
  Recorder first(&stop, 3);  // mid-epoch 2
  const training::TrainRunResult part = training::run_training(training::resolve_options(o), first, &stop);
  CHECK(part.interrupted);
  CHECK(first.ended_interrupted);
  CHECK(first.samples == std::vector<int64_t>{2, 3});  // every 3 steps and at each epoch end
  CHECK(part.progress.epoch == 2);
  CHECK(part.progress.epoch_iter == 1);
  CHECK(part.progress.total_iters == 3);

  o.continue_train = true;
  Recorder second;
  const training::TrainRunResult rest = training::run_training(training::resolve_options(o), second);
  CHECK(second.resumed);
  CHECK(second.iterations == std::vector<int64_t>{4});
  CHECK_FALSE(rest.interrupted);
  const auto resumed_dir = training::experiment_dir(o);
  CHECK(count_lines(resumed_dir / "loss_log.csv") == 5);

  const auto a = training::load_generators((run_dir / "latest.h5").string());
  const auto b = training::load_generators((resumed_dir / "latest.h5").string());
  CHECK(test::snapshot(*a.generators) == test::snapshot(*b.generators));
}

TEST_CASE("run_training: paired models read aligned data, 3D models read volumes, not images", "[tool]") {
  test::TempDir dir("train-loop-paired");
  test::write_tiny_dataset(dir / "data", 2);
  training::TrainOptions o = test::tiny_options("pix2pix");
  o.dataroot = (dir / "data").string();
  o.checkpoints_dir = (dir / "ck").string();
  o.n_epochs = 1;
  o.n_epochs_decay = 0;
  o.direction = "BtoA";
  Recorder rec;
  CHECK(training::run_training(training::resolve_options(o), rec).progress.total_iters == 2);
  CHECK(rec.last_names == std::vector<std::string>{"G_GAN_A", "G_L1_A", "G", "D_A"});

  // A 3D model looks for volumes (the image folders hold none); it is no longer refused outright.
  o.model = "revgan3d_paired";
  o.input_nc = o.output_nc = 1;
  o.direction = "AtoB";
  CHECK_THROWS_WITH(training::run_training(training::resolve_options(o), rec), Catch::Contains("contains no volumes") && Catch::Contains("data"));
  o = test::tiny_options("revgan_unpaired");
  o.dataroot = (dir / "nowhere").string();
  o.checkpoints_dir = (dir / "ck").string();
  CHECK_THROWS_WITH(training::run_training(training::resolve_options(o), rec), Catch::Contains("nowhere"));
}

TEST_CASE("run_training: --cpu_threads adaptive shrinks the team next to a busy process and says so", "[tool]") {
  const std::optional<CpuUsageSample> sample = sample_cpu_usage();
  REQUIRE(sample.has_value());
  if (sample->cpus < 2) {  // one CPU: the team cannot shrink below one
    std::fprintf(stderr, "SKIPPED: needs at least 2 CPUs, this process may use %d\n", sample->cpus);
    std::fflush(stderr);
    std::_Exit(77);
  }
  test::TempDir dir("train-loop-threads");
  test::write_tiny_dataset(dir / "data", 2);
  training::TrainOptions o = test::tiny_options("revgan_paired");
  o.dataroot = (dir / "data").string();
  o.checkpoints_dir = (dir / "ck").string();
  o.name = "adaptive";
  o.cpu_threads = "adaptive";
  o.n_epochs = 40;  // 80 short steps: several decisions, each at least 0.2 s after the last
  o.n_epochs_decay = 0;
  o.save_epoch_freq = 40;
  o.num_threads = 0;
  const int saved = omp_get_max_threads();
  omp_set_num_threads(sample->cpus);  // the team starts as large as the machine
  test::BusyProcess busy(60);  // killed when the run is over
  Recorder recorder;
  const training::TrainRunResult run = training::run_training(training::resolve_options(o), recorder);
  busy.stop();
  omp_set_num_threads(saved);
  CHECK(run.progress.total_iters == 80);
  const std::string shrink = "CPU threads " + std::to_string(sample->cpus) + " -> ";
  bool shrank = false;
  for (const std::string& notice : recorder.notices) {
    INFO(notice);
    shrank = shrank || notice.rfind(shrink, 0) == 0;
    CHECK(notice.find("CPUs busy") != std::string::npos);
  }
  CHECK(shrank);
}
