// Trainer: a few steps of every model, L1-only training (lambda_GAN 0), learning on a fixed
// batch, exact resumption from a checkpoint, the error for a non-finite loss, and adaptive CPU
// threads.
#include <catch2/catch.hpp>

#include "engine/memory/available_memory.hpp"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include "engine/ops/arithmetic.hpp"
#include "engine/ops/loss.hpp"
#include "training/model_factory.hpp"
#include "training/trainer.hpp"
#include "tests/training/training_test_util.hpp"

using namespace revgan;
using training::Trainer;

namespace {

struct Pair {
  Tensor a, b;
};
Pair make_batch(const training::TrainOptions& o, uint64_t seed, int64_t n = 1) {
  const int dims = training::model_traits(o.model).dims;
  const int64_t size = dims == 2 ? 32 : 16;
  return {test::batch_tensor(seed, n, o.input_nc, size, dims), test::batch_tensor(seed + 1000, n, o.output_nc, size, dims)};
}

bool changed(const std::vector<std::vector<double>>& before, const nn::Module& m) {
  return before != test::snapshot(m);
}

}  // namespace

TEST_CASE("trainer: a few steps of every model type", "[model]") {
  for (const std::string model : {"revgan_unpaired", "revgan_paired", "cyclegan", "pix2pix", "revgan3d_unpaired",
                                  "revgan3d_paired"}) {
    INFO(model);
    training::TrainOptions o = test::tiny_options(model);
    Trainer trainer(training::resolve_options(o));
    const auto g0 = test::snapshot(trainer.generators());
    const auto d0 = test::snapshot(trainer.discriminator_a());
    const int64_t n = model == "cyclegan" ? 2 : 1;  // one batch of two images: per-image pooling
    for (int step = 0; step < 2; ++step) {
      const Pair batch = make_batch(trainer.options(), 10 + step, n);
      const training::StepLosses losses = trainer.train_step(batch.a, batch.b);
      CHECK(losses.names() == trainer.loss_names());
      for (const auto& [name, v] : losses.values) {
        INFO(name);
        CHECK(std::isfinite(v));
      }
    }
    CHECK(trainer.steps() == 2);
    CHECK(changed(g0, trainer.generators()));
    CHECK(changed(d0, trainer.discriminator_a()));
    CHECK(trainer.visuals().front().first == "real_A");
    CHECK(trainer.visuals()[1].first == "fake_B");
    CHECK(trainer.visuals()[1].second.shape() == trainer.visuals()[0].second.shape());
    if (model == "pix2pix") {
      CHECK(trainer.discriminator_b() == nullptr);
      CHECK_THROWS_WITH(trainer.generators().g_yx(make_batch(o, 1).b), Catch::Contains("pix2pix"));
    }
    // Discriminator parameters are trainable again after the generator step.
    for (const Tensor& p : trainer.discriminator_a().parameters()) REQUIRE(p.requires_grad());
  }
}

TEST_CASE("trainer: paired RevGAN learns a fixed batch (L1 falls)", "[model]") {
  training::TrainOptions o = test::tiny_options("revgan_paired");
  o.lr = 1e-3;
  Trainer trainer(training::resolve_options(o));
  const Pair batch = make_batch(trainer.options(), 3);
  std::vector<double> l1;
  for (int step = 0; step < 30; ++step) l1.push_back(trainer.train_step(batch.a, batch.b).get("G_L1_A"));
  const double first = (l1[0] + l1[1] + l1[2]) / 3, last = (l1[27] + l1[28] + l1[29]) / 3;
  INFO(fmt::format("G_L1_A {} -> {}", first, last));
  CHECK(last < 0.8 * first);
}

TEST_CASE("trainer: lambda_GAN 0 trains the generators on L1 alone and leaves the discriminators", "[model]") {
  training::TrainOptions o = test::tiny_options("revgan3d_paired");
  o.lambda_GAN = 0;
  o.norm = "none";
  o.global_residual = true;
  Trainer trainer(training::resolve_options(o));
  CHECK(trainer.loss_names() == std::vector<std::string>{"G_L1_A", "G_L1_B", "G"});
  const auto g0 = test::snapshot(trainer.generators());
  const auto d0 = test::snapshot(trainer.discriminator_a());
  const Pair batch = make_batch(trainer.options(), 4);
  // The untrained global-residual generator returns its input: its L1 is that of the input.
  const double input_l1 = ops::l1_loss(batch.a, batch.b).item() * o.lambda_L1;
  const training::StepLosses first = trainer.train_step(batch.a, batch.b);
  CHECK(first.names() == trainer.loss_names());
  CHECK(first.get("G_L1_A") == Approx(input_l1).epsilon(1e-5));
  trainer.train_step(batch.a, batch.b);
  CHECK(changed(g0, trainer.generators()));
  CHECK_FALSE(changed(d0, trainer.discriminator_a()));
  // The options are checked against the model.
  training::TrainOptions bad = test::tiny_options("revgan_paired");
  bad.norm = "none";
  CHECK_THROWS_WITH(training::resolve_options(bad), Catch::Contains("3D models only"));
  bad.norm = "batch";
  CHECK_THROWS_WITH(training::resolve_options(bad), Catch::Contains("expected instance or none"));
}

TEST_CASE("trainer: N + M steps equal N steps, checkpoint, new trainer, M steps (bitwise)", "[model]") {
  for (const std::string model : {"revgan_unpaired", "revgan_paired"}) {
    INFO(model);
    test::TempDir dir("trainer-resume");
    training::TrainOptions o = test::tiny_options(model);
    o.pool_size = 1;  // full after the first step, then swaps at random: its state must survive
    constexpr int n = 2, m = 2;
    std::vector<Pair> batches;
    for (int i = 0; i < n + m; ++i) batches.push_back(make_batch(training::resolve_options(o).get(), 50 + i));

    Trainer straight(training::resolve_options(o));
    std::vector<double> straight_losses;
    for (int i = 0; i < n + m; ++i) {
      const auto l = straight.train_step(batches[i].a, batches[i].b);
      if (i >= n) straight_losses.push_back(l.get("G"));
    }

    const std::string path = (dir / "state.h5").string();
    {
      Trainer first(training::resolve_options(o));
      for (int i = 0; i < n; ++i) first.train_step(batches[i].a, batches[i].b);
      first.set_learning_rate(o.lr * 0.5);  // restored from the file as well
      first.save(path, {4, 1, n});
    }
    training::TrainOptions other = o;
    other.seed = 999;  // different initial weights and pool RNG: everything must come from the file
    Trainer resumed(training::resolve_options(other));
    const training::TrainProgress progress = resumed.load(path);
    CHECK(progress.epoch == 4);
    CHECK(progress.epoch_iter == 1);
    CHECK(progress.total_iters == n);
    CHECK(resumed.steps() == n);
    CHECK(resumed.learning_rate() == o.lr * 0.5);
    CHECK(resumed.data_seed() == o.seed);
    resumed.set_learning_rate(o.lr);
    std::vector<double> resumed_losses;
    for (int i = n; i < n + m; ++i) resumed_losses.push_back(resumed.train_step(batches[i].a, batches[i].b).get("G"));

    CHECK(resumed_losses == straight_losses);
    CHECK(test::snapshot(resumed.generators()) == test::snapshot(straight.generators()));
    CHECK(test::snapshot(resumed.discriminator_a()) == test::snapshot(straight.discriminator_a()));
    CHECK(test::snapshot(*resumed.discriminator_b()) == test::snapshot(*straight.discriminator_b()));

    // Inference needs only the checkpoint: options and generator weights come from it.
    const training::LoadedGenerators loaded = training::load_generators(path);
    CHECK(loaded.options->model == model);
    CHECK(loaded.options->ngf == o.ngf);
    CHECK(loaded.generators->parameter_count() == straight.generators().parameter_count());

    // A checkpoint of another model is refused with a clear message.
    Trainer wrong(training::resolve_options(test::tiny_options("cyclegan")));
    CHECK_THROWS_WITH(wrong.load(path), Catch::Contains(model) && Catch::Contains("cyclegan"));
  }
}

TEST_CASE("trainer: a non-finite loss stops the step with an error naming step and loss", "[model]") {
  training::TrainOptions o = test::tiny_options("revgan_unpaired");
  Trainer trainer(training::resolve_options(o));
  Pair batch = make_batch(trainer.options(), 5);
  trainer.train_step(batch.a, batch.b);
  const auto g_before = test::snapshot(trainer.generators());
  const auto d_before = test::snapshot(trainer.discriminator_a());
  Pair bad = make_batch(trainer.options(), 6);
  bad.a = ops::scale(bad.a, std::numeric_limits<double>::quiet_NaN());
  CHECK_THROWS_WITH(trainer.train_step(bad.a, bad.b), Catch::Contains("training step 2") &&
                                                          Catch::Contains("generator update") &&
                                                          Catch::Contains("G_GAN_A") && Catch::Contains("nan"));
  CHECK(test::snapshot(trainer.generators()) == g_before);
  CHECK(test::snapshot(trainer.discriminator_a()) == d_before);
  CHECK(trainer.steps() == 1);
  // The trainer is still usable: D parameters require grad again and a finite batch trains.
  for (const Tensor& p : trainer.discriminator_a().parameters()) REQUIRE(p.requires_grad());
  CHECK(std::isfinite(trainer.train_step(batch.a, batch.b).get("D_A")));

  CHECK_THROWS_WITH(trainer.train_step(batch.a, Tensor()), Catch::Contains("batch B"));
  CHECK_THROWS_WITH(trainer.train_step(test::batch_tensor(1, 1, 1, 32), batch.b), Catch::Contains("batch A"));
}

TEST_CASE("trainer: an unlimited memory budget trains as stored mode, a tiny one as memory saving (bitwise)", "[model]") {
  training::TrainOptions o = test::tiny_options("revgan_unpaired");
  o.pool_size = 0;
  const Pair batch = make_batch(training::resolve_options(o).get(), 5);
  auto weights_after_steps = [&](bool memory_saving, const std::string& budget) {
    training::TrainOptions v = o;
    v.memory_saving = memory_saving;
    v.memory_budget = budget;
    Trainer t(training::resolve_options(v));
    for (int i = 0; i < 2; ++i) t.train_step(batch.a, batch.b);
    return test::snapshot(t.generators());
  };
  const auto stored = weights_after_steps(false, "0");
  CHECK(weights_after_steps(true, "unlimited") == stored);
  CHECK(weights_after_steps(true, "1K") == weights_after_steps(true, "0"));
  // A budget for part of the core: the step's first passes store blocks, later passes (which
  // share the parameters, and so their gradient accumulators) recompute them. The gradients of
  // the step are the stored ones up to the rounding of rebuilt activations (compared with a
  // floor of 1e-3 of the largest gradient: conv biases in front of an instance norm have a zero
  // true gradient, so both sides hold only rounding noise there).
  auto gradients_of_one_step = [&](bool memory_saving, const std::string& budget) {
    training::TrainOptions v = o;
    v.memory_saving = memory_saving;
    v.memory_budget = budget;
    Trainer t(training::resolve_options(v));
    t.train_step(batch.a, batch.b);
    std::vector<std::vector<double>> grads;
    for (const Tensor& p : t.generators().parameters()) grads.push_back(p.grad().to_vector());
    return grads;
  };
  const auto stored_grads = gradients_of_one_step(false, "0");
  double largest = 0;
  for (const auto& g : stored_grads)
    for (double v : g) largest = std::max(largest, std::abs(v));
  for (const char* budget : {"30K", "100K"}) {
    INFO("budget " << budget);
    const auto mixed = gradients_of_one_step(true, budget);
    REQUIRE(mixed.size() == stored_grads.size());
    for (std::size_t i = 0; i < mixed.size(); ++i) {
      double diff = 0, scale = 0;
      for (std::size_t k = 0; k < mixed[i].size(); ++k) {
        diff = std::max(diff, std::abs(mixed[i][k] - stored_grads[i][k]));
        scale = std::max(scale, std::abs(stored_grads[i][k]));
      }
      INFO("parameter " << i << ": max difference " << diff << ", max gradient " << scale);
      CHECK(diff <= 1e-4 * std::max(scale, 1e-3 * largest));
    }
  }
  CHECK(training::parse_memory_budget("512M") == int64_t{512} << 20);
  CHECK(training::parse_memory_budget("3G") == int64_t{3} << 30);
  CHECK(training::parse_memory_budget("1000") == 1000);
  const int64_t half = training::parse_memory_budget("auto");
  CHECK(half > 0);
  CHECK(half <= available_memory_bytes(Device::cpu()) / 2 + (int64_t{64} << 20));  // the memory moves a little
  CHECK_THROWS_WITH(training::parse_memory_budget("lots"), Catch::Contains("memory_budget"));
  CHECK_THROWS_WITH(training::parse_memory_budget("5Q"), Catch::Contains("unknown unit"));
  CHECK(training::parse_memory_budget("0") == 0);
  // Plain byte counts are exact up to int64's range (bench --budget_sweep passes them).
  CHECK(training::parse_memory_budget("9223372036854775806") == int64_t{9223372036854775806});
  CHECK_THROWS_WITH(training::parse_memory_budget("9223372036854775808"), Catch::Contains("memory_budget"));
  CHECK_THROWS_WITH(training::parse_memory_budget("-5"), Catch::Contains("out of range"));
}

TEST_CASE("trainer: --cpu_threads adaptive sets OpenMP's team before each step and gives it back", "[model]") {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(2);
  {
    Trainer fixed(training::resolve_options(test::tiny_options("revgan_paired")));
    CHECK(fixed.adaptive_threads() == nullptr);
  }
  CHECK(training::parse_train_args({"--cpu_threads", "adaptive"}).options.cpu_threads == "adaptive");
  training::TrainOptions o = test::tiny_options("revgan_paired");
  o.cpu_threads = "adaptive";
  {
    Trainer adaptive(training::resolve_options(o));
    REQUIRE(adaptive.adaptive_threads() != nullptr);
    CHECK(adaptive.adaptive_threads()->most() == 2);
    for (int step = 0; step < 3; ++step) {
      // Each step is short; the pause lets every update decide.
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      const Pair batch = make_batch(adaptive.options(), 40 + step);
      adaptive.train_step(batch.a, batch.b);
      const int team = omp_get_max_threads();
      CHECK(team == adaptive.adaptive_threads()->team());
      CHECK((team == 1 || team == 2));
      CHECK(adaptive.adaptive_threads()->other_cores() >= 0.0);
    }
  }
  CHECK(omp_get_max_threads() == 2);
  o.cpu_threads = "sometimes";
  CHECK_THROWS_WITH(training::resolve_options(o), Catch::Contains("cpu_threads") && Catch::Contains("sometimes"));
  omp_set_num_threads(saved);
}
