// run_training on volumes (the entry revgan_train uses): revgan3d_paired and revgan3d_unpaired
// on tiny procedural volumes, checkpoints that load, a stop + resume that ends bit for bit where
// an uninterrupted run ends, and the errors of the 3D data options.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <functional>

#include "data/volume/volume_dataset.hpp"
#include "engine/io/checkpoint.hpp"
#include "training/model_factory.hpp"
#include "training/train_loop.hpp"
#include "training/trainer.hpp"
#include "training/training_data.hpp"
#include "tests/support/subprocess.hpp"
#include "tests/training/run_recorder.hpp"
#include "tests/training/training_test_util.hpp"

using namespace revgan;
using test::count_lines;
using test::Recorder;

namespace {

// One 16^3 volume, 8^3 patches, two per epoch: a step takes a fraction of a second on one core.
training::TrainOptions volume_options(const std::string& model, const test::TempDir& dir) {
  training::TrainOptions o = test::tiny_options(model);
  o.dataroot = (dir / "data").string();
  o.checkpoints_dir = (dir / "ck").string();
  o.depth = 1;
  o.n_layers_D = 1;
  o.patch_size = "8";
  o.factor = "2";
  o.patches_per_volume = 2;
  o.n_epochs = 1;
  o.n_epochs_decay = 1;
  o.save_epoch_freq = 1;
  o.display_freq = 0;
  return o;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.message();
  }
  return "no error";
}

}  // namespace

TEST_CASE("run_training: revgan3d_paired on volumes, interrupted and resumed equals uninterrupted", "[tool]") {
  test::TempDir dir("train-3d-paired");
  test::write_tiny_volumes(dir / "data", 1);
  training::TrainOptions o = volume_options("revgan3d_paired", dir);
  o.num_threads = 1;  // whole epochs come through the prefetching loader

  o.name = "straight";
  Recorder straight;
  const training::TrainRunResult full = training::run_training(training::resolve_options(o), straight);
  CHECK_FALSE(full.interrupted);
  CHECK(straight.iterations == std::vector<int64_t>{1, 2, 3, 4});
  CHECK(straight.epochs == std::vector<int64_t>{1, 2});
  CHECK(straight.samples == std::vector<int64_t>{2, 4});  // epoch ends
  CHECK(straight.sample_dim == 5);
  CHECK(straight.last_names == std::vector<std::string>{"G_GAN_A", "G_L1_A", "G_GAN_B", "G_L1_B", "G", "D_A", "D_B"});
  const auto run_dir = training::experiment_dir(o);
  for (const char* f : {"latest.h5", "1.h5", "2.h5", "train_opt.json", "loss_log.csv"})
    CHECK(std::filesystem::exists(run_dir / f));
  CHECK(count_lines(run_dir / "loss_log.csv") == 5);
  CHECK_THAT(test::read_text(run_dir / "train_opt.json"), Catch::Contains("\"patch_size\": \"8\""));
  const io::CheckpointMeta meta = io::read_checkpoint_meta((run_dir / "latest.h5").string());
  CHECK(meta.epoch == 3);
  CHECK(meta.step == 4);
  // Inference rebuilds the 3D generators from the file alone; a trainer restores the full state.
  const training::LoadedGenerators loaded = training::load_generators((run_dir / "latest.h5").string());
  CHECK(loaded.options->model == "revgan3d_paired");
  CHECK(loaded.options->patch_size == "8");
  training::Trainer reloaded(training::resolve_options(o));
  CHECK(reloaded.load((run_dir / "latest.h5").string()).total_iters == 4);
  CHECK(test::snapshot(reloaded.generators()) == test::snapshot(*loaded.generators));

  o.name = "resumed";
  std::atomic<bool> stop{false};
  Recorder first(&stop, 3);  // mid-epoch 2
  const training::TrainRunResult part = training::run_training(training::resolve_options(o), first, &stop);
  CHECK(part.interrupted);
  CHECK(part.progress.epoch == 2);
  CHECK(part.progress.epoch_iter == 1);
  o.continue_train = true;
  Recorder second;
  const training::TrainRunResult rest = training::run_training(training::resolve_options(o), second);
  CHECK(second.resumed);
  CHECK(second.iterations == std::vector<int64_t>{4});
  CHECK_FALSE(rest.interrupted);
  CHECK(count_lines(training::experiment_dir(o) / "loss_log.csv") == 5);
  const auto b = training::load_generators((training::experiment_dir(o) / "latest.h5").string());
  CHECK(test::snapshot(*loaded.generators) == test::snapshot(*b.generators));
}

TEST_CASE("run_training: revgan3d_unpaired on A/ + B/ volume pairs", "[tool]") {
  test::TempDir dir("train-3d-unpaired");
  test::write_tiny_volume_pairs(dir / "data", 1);
  training::TrainOptions o = volume_options("revgan3d_unpaired", dir);
  o.n_epochs_decay = 0;
  o.num_threads = 0;
  o.name = "unpaired";
  Recorder rec;
  CHECK(training::run_training(training::resolve_options(o), rec).progress.total_iters == 2);
  CHECK(rec.last_names ==
        std::vector<std::string>{"G_GAN_A", "cycle_A", "idt_A", "G_GAN_B", "cycle_B", "idt_B", "G", "D_A", "D_B"});
  CHECK(rec.sample_dim == 5);
  // The pools (2 fakes each) are in the checkpoint and come back in a fresh trainer.
  const std::string latest = (training::experiment_dir(o) / "latest.h5").string();
  training::Trainer trainer(training::resolve_options(o));
  CHECK(trainer.load(latest).epoch == 2);
  CHECK(trainer.steps() == 2);
  const auto dataset = training::make_training_dataset(training::resolve_options(o), trainer.data_seed());
  const auto* volumes = dynamic_cast<const data::VolumeDataset*>(dataset.get());
  REQUIRE(volumes != nullptr);
  CHECK(volumes->paired());
  const data::Sample s = volumes->get(0, 1);
  CHECK(s.A.shape() == Shape{1, 8, 8, 8});
  const training::StepLosses more =
      trainer.train_step(s.A.reshape(Shape{1, 1, 8, 8, 8}), s.B.reshape(Shape{1, 1, 8, 8, 8}));
  CHECK(std::isfinite(more.values.back().second));
}

TEST_CASE("run_training: 3D data options and their errors", "[tool]") {
  CHECK(data::parse_axes("factor", "4,1,1") == std::array<int64_t, 3>{4, 1, 1});
  CHECK(data::parse_axes("patch_size", "12") == std::array<int64_t, 3>{12, 12, 12});
  for (const char* bad : {"0", "2,2", "a", "2,,2", "-1", "1,2,3,4", ""})
    CHECK_THAT(error_of([&] { data::parse_axes("factor", bad); }), Catch::Contains("option factor"));
  training::TrainOptions bad_options;
  bad_options.patch_size = "8x8";
  CHECK_THAT(error_of([&] { training::resolve_options(bad_options); }), Catch::Contains("patch_size"));

  test::TempDir dir("train-3d-errors");
  test::write_tiny_volumes(dir / "data", 1);
  training::TrainOptions o = volume_options("revgan3d_paired", dir);
  const training::ResolvedOptions resolved = training::resolve_options(o);
  CHECK(training::make_training_dataset(resolved, 1)->size() == 2);
  // Anisotropic factor and patch: D is block-averaged by 4, H and W are kept.
  training::TrainOptions aniso = resolved.get();
  aniso.factor = "4,1,1";
  aniso.patch_size = "6,8,8";
  CHECK(training::make_training_dataset(training::resolve_options(aniso), 1)->get(1, 0).B.shape() == Shape{1, 6, 8, 8});

  Recorder rec;
  o.input_nc = o.output_nc = 3;
  o.lambda_identity = 0;
  CHECK_THAT(error_of([&] { training::run_training(training::resolve_options(o), rec); }),
             Catch::Contains("1 channel(s)") && Catch::Contains("--input_nc 1"));
  o = volume_options("revgan3d_paired", dir);
  o.direction = "BtoA";
  CHECK_THAT(error_of([&] { training::run_training(training::resolve_options(o), rec); }), Catch::Contains("direction must be AtoB"));
  // A diverging run stops at the first non-finite loss, before that update, as in 2D.
  o = volume_options("revgan3d_paired", dir);
  o.lr = 1e30;
  o.name = "diverging";
  CHECK_THAT(error_of([&] { training::run_training(training::resolve_options(o), rec); }), Catch::Contains("stopping before the update"));
  CHECK_FALSE(std::filesystem::exists(training::experiment_dir(o) / "latest.h5"));
  o = volume_options("revgan3d_paired", dir);
  o.n_layers_D = 2;  // 8 -> 4 -> 2 -> 1 -> 0 logits
  CHECK_THAT(error_of([&] { training::run_training(training::resolve_options(o), rec); }),
             Catch::Contains("too small for the discriminator") && Catch::Contains("at least 12 voxels"));
  o.patch_size = "12";
  CHECK(training::make_training_dataset(training::resolve_options(o), 1)->get(0, 0).A.shape() == Shape{1, 12, 12, 12});
  o.patch_size = "20";
  CHECK_THAT(error_of([&] { training::run_training(training::resolve_options(o), rec); }), Catch::Contains("smaller than the patch"));
}
