// The prefetching loader: same batches as the synchronous path, epoch bookkeeping, errors from
// the worker re-thrown to the consumer, clean shutdown with a full queue; plus a hidden
// throughput benchmark ([.][data-bench]).
#include <catch2/catch.hpp>

#include <chrono>

#include "data/loader.hpp"
#include "tests/data/data_test_util.hpp"

using namespace revgan;
using namespace revgan::data;
using revgan::test::TempDir;

namespace {

std::shared_ptr<Dataset> unaligned_fixture(const TempDir& dir, int64_t n_A, int64_t n_B) {
  for (const auto& [folder, n] : {std::pair{"trainA", n_A}, std::pair{"trainB", n_B}}) {
    std::filesystem::create_directories(dir / folder);
    for (int64_t i = 0; i < n; ++i)
      write_png(test::random_image(28, 24, 3, static_cast<uint64_t>(i) * 31 + n),
                dir / folder / fmt::format("{:02}.png", i));
  }
  DatasetOptions o;
  o.dataroot = dir.path();
  o.preprocess = Preprocess::resize_and_crop;
  o.load_size = 24;
  o.crop_size = 20;
  o.seed = 11;
  return std::make_shared<UnalignedDataset>(o);
}

void require_same(const Batch& a, const Batch& b) {
  REQUIRE(a.epoch == b.epoch);
  REQUIRE(a.index == b.index);
  REQUIRE(a.A_paths == b.A_paths);
  REQUIRE(a.B_paths == b.B_paths);
  REQUIRE(a.A.to_vector() == b.A.to_vector());
  REQUIRE(a.B.to_vector() == b.B.to_vector());
}

}  // namespace

TEST_CASE("epoch order is a seeded permutation", "[data]") {
  const auto order = epoch_order(50, true, 3, 1);
  auto sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 50; ++i) REQUIRE(sorted[static_cast<std::size_t>(i)] == i);
  REQUIRE(order == epoch_order(50, true, 3, 1));
  REQUIRE(order != epoch_order(50, true, 3, 2));
  REQUIRE(epoch_order(4, false, 3, 1) == std::vector<int64_t>{0, 1, 2, 3});
  REQUIRE(batches_per_epoch(10, 3, false) == 4);
  REQUIRE(batches_per_epoch(10, 3, true) == 3);
}

TEST_CASE("the background loader gives the synchronous path's batches", "[data]") {
  TempDir dir("loader");
  auto ds = unaligned_fixture(dir, 7, 4);
  LoaderOptions o;
  o.batch_size = 3;
  o.num_epochs = 2;
  o.first_epoch = 5;
  o.seed = 9;
  o.prefetch = 2;
  Loader background(ds, o);
  REQUIRE(background.batches_per_epoch() == 3);
  int64_t count = 0;
  for (uint64_t epoch = 5; epoch < 7; ++epoch) {
    const auto order = epoch_order(ds->size(), true, o.seed, epoch);
    for (int64_t b = 0; b < 3; ++b) {
      auto batch = background.next();
      REQUIRE(batch.has_value());
      require_same(*batch, make_batch(*ds, order, 3, epoch, b));
      REQUIRE(batch->size() == (b == 2 ? 1 : 3));
      ++count;
    }
  }
  REQUIRE(count == 6);
  REQUIRE_FALSE(background.next().has_value());
  REQUIRE_FALSE(background.next().has_value());

  o.prefetch = 0;
  Loader synchronous(ds, o);
  Loader again(ds, LoaderOptions{o.batch_size, true, false, 4, o.first_epoch, o.num_epochs, o.seed});
  while (auto batch = synchronous.next()) {
    auto other = again.next();
    REQUIRE(other.has_value());
    require_same(*batch, *other);
  }
  REQUIRE_FALSE(again.next().has_value());
}

TEST_CASE("a worker error reaches the consumer, naming the file", "[data]") {
  TempDir dir("loadererr");
  auto ds = unaligned_fixture(dir, 3, 3);
  // Break one file after the dataset has probed it.
  const auto victim = dir / "trainA" / "01.png";
  test::write_text(victim, "\x89PNG truncated");
  LoaderOptions o;
  o.shuffle = false;
  o.batch_size = 1;
  Loader loader(ds, o);
  REQUIRE(loader.next().has_value());
  REQUIRE_THROWS_WITH(loader.next(), Catch::Contains(victim.string()));
  REQUIRE_THROWS_WITH(loader.next(), Catch::Contains(victim.string()));
}

TEST_CASE("destroying a loader with a full queue shuts down cleanly", "[data]") {
  TempDir dir("loaderstop");
  auto ds = unaligned_fixture(dir, 5, 5);
  for (int round = 0; round < 3; ++round) {
    LoaderOptions o;
    o.num_epochs = 0;  // endless: the worker blocks on a full queue
    o.prefetch = 1 + round;
    Loader loader(ds, o);
    REQUIRE(loader.next().has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Loader untouched(ds, LoaderOptions{});
  SUCCEED("no hang, no exception");
}

TEST_CASE("loader throughput: 256x256 JPEG, resize_and_crop 286 -> 256", "[.][data-bench]") {
  TempDir dir("bench");
  const int64_t n = 64;
  std::filesystem::create_directories(dir / "trainA");
  std::filesystem::create_directories(dir / "trainB");
  for (int64_t i = 0; i < n; ++i)
    for (const char* folder : {"trainA", "trainB"})
      write_jpeg(test::smooth_image(256, 256, 3, static_cast<uint64_t>(i)), dir / folder / fmt::format("{:03}.jpg", i));
  DatasetOptions d;
  d.dataroot = dir.path();
  auto ds = std::make_shared<UnalignedDataset>(d);
  // step_ms stands in for a training step that sleeps on the GPU: prefetching should hide the loading.
  for (int step_ms : {0, 5})
    for (int64_t prefetch : {0, 4}) {
      LoaderOptions o;
      o.batch_size = 1;
      o.prefetch = prefetch;
      o.num_epochs = 2;
      Loader loader(ds, o);
      const auto start = std::chrono::steady_clock::now();
      int64_t samples = 0;
      while (auto b = loader.next()) {
        samples += b->size();
        std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
      }
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      // Each sample decodes and preprocesses two images (A and B).
      WARN(fmt::format("step {} ms, prefetch {}: {} samples in {:.3f} s = {:.1f} samples/s = {:.1f} images/s", step_ms,
                       prefetch, samples, s, samples / s, 2 * samples / s));
    }
}

TEST_CASE("rank_order: N shares of batch b are, batch for batch, one share of batch N b", "[data]") {
  const std::vector<int64_t> order = data::epoch_order(10, true, 5, 2);
  for (int64_t world : {1, 2, 3, 4}) {
    INFO("world " << world);
    std::vector<std::vector<int64_t>> shares;
    for (int64_t r = 0; r < world; ++r) shares.push_back(data::rank_order(order, r, world));
    const std::size_t per_rank = static_cast<std::size_t>((10 + world - 1) / world);
    for (const auto& s : shares) REQUIRE(s.size() == per_rank);
    // Batch k of size 1 on every rank together = samples k*world .. k*world + world - 1 of the
    // (wrapped) order: what one process with batch size `world` takes as its batch k.
    for (std::size_t k = 0; k < per_rank; ++k) {
      std::vector<int64_t> together, expected;
      for (int64_t r = 0; r < world; ++r) {
        together.push_back(shares[static_cast<std::size_t>(r)][k]);
        expected.push_back(order[(k * static_cast<std::size_t>(world) + static_cast<std::size_t>(r)) % order.size()]);
      }
      CHECK(together == expected);
    }
  }
  CHECK_THROWS(data::rank_order(order, 2, 2));
}
