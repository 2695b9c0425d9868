// Image pool semantics, the linear learning-rate policy and the GAN criteria.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "engine/ops/arithmetic.hpp"
#include "training/gan_loss.hpp"
#include "training/image_pool.hpp"
#include "training/lr_schedule.hpp"
#include "tests/training/training_test_util.hpp"

using namespace revgan;

namespace {
// A [n, 2, 3, 3] batch whose image i is filled with values[i].
Tensor marked(const std::vector<double>& values) {
  std::vector<double> data;
  for (double v : values) data.insert(data.end(), 18, v);
  return tensor_from_values({static_cast<int64_t>(values.size()), 2, 3, 3}, data);
}
std::vector<double> marks(const Tensor& batch) {
  const std::vector<double> v = batch.to_vector();
  std::vector<double> out;
  for (std::size_t i = 0; i < v.size(); i += 18) {
    for (std::size_t j = i; j < i + 18; ++j) REQUIRE(v[j] == v[i]);  // images stay whole
    out.push_back(v[i]);
  }
  return out;
}
}  // namespace

TEST_CASE("image pool: fill, then swap with probability 1/2, seeded", "[model]") {
  training::ImagePool none(0, 1);
  const Tensor x = marked({1, 2});
  CHECK(none.query(x).same(x));  // pool_size 0 passes the batch through

  const uint64_t seed = 42;
  training::ImagePool pool(3, seed);
  // Filling: every image is stored and returned as is, across batch boundaries; the choice is
  // per image, so the batch that fills the pool already samples for its last image.
  CHECK(marks(pool.query(marked({1, 2}))) == std::vector<double>{1, 2});
  REQUIRE(pool.images().size() == 2);
  std::vector<double> stored = {1, 2, 3};
  Generator ref(seed);
  int returned_old = 0, returned_new = 0;
  {
    const bool swap = ref.uniform() > 0.5;
    const auto slot = swap ? static_cast<std::size_t>(ref.below(3)) : 0;
    const std::vector<double> expected = {3, swap ? stored[slot] : 4.0};
    if (swap) stored[slot] = 4;
    CHECK(marks(pool.query(marked({3, 4}))) == expected);
  }
  REQUIRE(pool.images().size() == 3);

  // Reference model of the full pool with the same generator draws.
  double next = 5;
  for (int step = 0; step < 40; ++step) {
    std::vector<double> in = {next, next + 1};
    next += 2;
    std::vector<double> expected;
    for (double v : in) {
      if (ref.uniform() > 0.5) {
        const auto slot = static_cast<std::size_t>(ref.below(3));
        expected.push_back(stored[slot]);
        stored[slot] = v;
        ++returned_old;
      } else {
        expected.push_back(v);
        ++returned_new;
      }
    }
    REQUIRE(marks(pool.query(marked(in))) == expected);
  }
  CHECK(returned_old > 10);
  CHECK(returned_new > 10);
  std::vector<double> now;
  for (const Tensor& t : pool.images()) now.push_back(marks(t)[0]);
  CHECK(now == stored);

  // Export and restore: the copy continues identically.
  training::ImagePool copy(3, 999);
  copy.restore(pool.images(), training::generator_state_from_string(training::generator_state_to_string(pool.rng_state())));
  for (int step = 0; step < 5; ++step) {
    const Tensor in = marked({100.0 + step});
    CHECK(marks(copy.query(in)) == marks(pool.query(in)));
  }
  CHECK_THROWS(copy.restore(std::vector<Tensor>(4, marked({1})), copy.rng_state()));
  CHECK_THROWS(training::generator_state_from_string("not a state"));
}

TEST_CASE("image pool: images of different sizes share the pool, other channel counts do not", "[model]") {
  training::ImagePool pool(2, 5);
  const auto image = [](int64_t h, int64_t w, double v) { return ops::full({1, 3, h, w}, v, DType::float32); };
  CHECK(pool.query(image(8, 8, 1)).shape() == Shape{1, 3, 8, 8});
  CHECK(pool.query(image(12, 16, 2)).shape() == Shape{1, 3, 12, 16});
  // Full: each query returns either the new image or one stored earlier, whole, at its own size.
  std::set<std::string> seen;
  for (int i = 0; i < 30; ++i) {
    const Tensor out = pool.query(image(4 + 4 * (i % 3), 8, 10.0 + i));
    const std::vector<double> v = out.to_vector();
    REQUIRE(std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); }));
    seen.insert(out.shape().str());
  }
  CHECK(seen.size() >= 3);
  CHECK_THROWS_WITH(pool.query(ops::full({1, 1, 8, 8}, 0.0, DType::float32)), Catch::Contains("channels"));
}

TEST_CASE("linear learning-rate policy", "[model]") {
  training::TrainOptions o;  // lr 2e-4, 100 + 100 epochs, epoch_count 1
  CHECK(training::lr_for_epoch(o, 1) == o.lr);
  CHECK(training::lr_for_epoch(o, 100) == o.lr);
  CHECK(training::lr_for_epoch(o, 101) == Approx(o.lr * (1 - 1.0 / 101)));
  CHECK(training::lr_for_epoch(o, 150) == Approx(o.lr * (1 - 50.0 / 101)));
  CHECK(training::lr_for_epoch(o, 200) == Approx(o.lr / 101));
  // The framework's formula in its own terms: scheduler epoch counter starting at 0.
  CHECK(training::lr_factor(0, 1, 100, 100) == 1.0);
  CHECK(training::lr_factor(100, 1, 100, 100) == Approx(1 - 1.0 / 101));
  CHECK(training::lr_factor(10, 95, 100, 100) == Approx(1 - 5.0 / 101));
  // A run that starts at epoch_count 96 decays from epoch 101 on, like a run from 1.
  o.epoch_count = 96;
  CHECK(training::lr_for_epoch(o, 100) == o.lr);
  CHECK(training::lr_for_epoch(o, 101) == Approx(o.lr * (1 - 1.0 / 101)));
  o.epoch_count = 1;
  o.n_epochs = 0;
  o.n_epochs_decay = 3;
  CHECK(training::lr_for_epoch(o, 1) == Approx(o.lr * 0.75));
  CHECK(training::lr_for_epoch(o, 3) == Approx(o.lr * 0.25));
}

TEST_CASE("GAN criteria: LSGAN is MSE to 1/0, vanilla is BCE on probabilities", "[model]") {
  const Tensor p = ops::full({1, 1, 2, 2}, 0.25);
  const training::GanLoss ls(training::GanMode::lsgan), bce(training::GanMode::vanilla);
  CHECK(ls(p, true).item() == Approx(0.5625));
  CHECK(ls(p, false).item() == Approx(0.0625));
  CHECK(bce(p, true).item() == Approx(-std::log(0.25)));
  CHECK(bce(p, false).item() == Approx(-std::log(0.75)));
  CHECK(training::parse_gan_mode("lsgan") == training::GanMode::lsgan);
  CHECK_THROWS(training::parse_gan_mode("wgan"));
}
