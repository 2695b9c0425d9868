// Preprocess modes: output sizes, determinism in (seed, epoch, index), aligned halves that stay
// aligned under random crops and flips, gray conversion and BtoA.
#include <catch2/catch.hpp>

#include "data/dataset.hpp"
#include "data/preprocess.hpp"
#include "tests/data/data_test_util.hpp"

using namespace revgan;
using namespace revgan::data;
using revgan::test::TempDir;

namespace {

// Writes `count` A|B files into root/train where B = 255 - A, so after any shared geometric
// preprocessing the B tensor must equal minus the A tensor.
void write_inverted_pairs(const std::filesystem::path& root, int64_t count, int64_t w, int64_t h) {
  std::filesystem::create_directories(root / "train");
  for (int64_t i = 0; i < count; ++i) {
    const Image a = test::random_image(w, h, 3, 100 + static_cast<uint64_t>(i));
    Image b = a;
    for (float& v : b.samples) v = 255.0f - v;
    write_png(concat_horizontal(a, b), root / "train" / fmt::format("{:03}.png", i));
  }
}

DatasetOptions options_for(const std::filesystem::path& root, Preprocess p, int64_t load, int64_t crop) {
  DatasetOptions o;
  o.dataroot = root;
  o.preprocess = p;
  o.load_size = load;
  o.crop_size = crop;
  o.seed = 42;
  return o;
}

bool same_values(const Tensor& a, const Tensor& b) { return a.shape() == b.shape() && a.to_vector() == b.to_vector(); }

void require_negated(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  const auto va = a.to_vector(), vb = b.to_vector();
  double worst = 0;
  for (std::size_t i = 0; i < va.size(); ++i) worst = std::max(worst, std::abs(va[i] + vb[i]));
  REQUIRE(worst < 1e-4);
}

}  // namespace

TEST_CASE("each preprocess mode gives its documented size", "[data]") {
  TempDir dir("modes");
  write_inverted_pairs(dir.path(), 2, 90, 60);
  struct Case {
    Preprocess mode;
    int64_t load, crop, h, w;
  };
  const Case cases[] = {
      {Preprocess::resize_and_crop, 72, 64, 64, 64},
      {Preprocess::crop, 286, 48, 48, 48},
      {Preprocess::scale_width, 64, 32, 42, 64},           // 64 * 60 / 90 = 42 rows
      {Preprocess::scale_width, 64, 48, 48, 64},           // height never below crop_size
      {Preprocess::scale_width_and_crop, 64, 32, 32, 32},
      {Preprocess::none, 286, 256, 60, 88},                // 90 / 4 = 22.5 rounds to even: 88
  };
  for (const Case& c : cases) {
    INFO(preprocess_name(c.mode) << " load " << c.load << " crop " << c.crop);
    AlignedDataset ds(options_for(dir.path(), c.mode, c.load, c.crop));
    REQUIRE(ds.size() == 2);
    const Sample s = ds.get(1, 3);
    REQUIRE(s.A.shape() == Shape{3, c.h, c.w});
    REQUIRE(s.B.shape() == Shape{3, c.h, c.w});
  }
}

TEST_CASE("preprocessing is deterministic in (seed, epoch, index)", "[data]") {
  TempDir dir("determinism");
  write_inverted_pairs(dir.path(), 3, 80, 80);
  for (Preprocess mode : {Preprocess::resize_and_crop, Preprocess::crop, Preprocess::scale_width,
                          Preprocess::scale_width_and_crop, Preprocess::none}) {
    INFO(preprocess_name(mode));
    AlignedDataset first(options_for(dir.path(), mode, 72, 56));
    AlignedDataset second(options_for(dir.path(), mode, 72, 56));
    for (uint64_t epoch = 0; epoch < 3; ++epoch)
      for (int64_t i = 0; i < 3; ++i) {
        REQUIRE(same_values(first.get(i, epoch).A, second.get(i, epoch).A));
        REQUIRE(same_values(first.get(i, epoch).B, second.get(i, epoch).B));
      }
  }
  // Random crops do move between epochs, and a different seed gives different draws.
  AlignedDataset ds(options_for(dir.path(), Preprocess::resize_and_crop, 72, 56));
  int differing = 0;
  for (uint64_t epoch = 1; epoch < 8; ++epoch) differing += same_values(ds.get(0, 0).A, ds.get(0, epoch).A) ? 0 : 1;
  REQUIRE(differing >= 5);
  auto other_options = options_for(dir.path(), Preprocess::resize_and_crop, 72, 56);
  other_options.seed = 43;
  AlignedDataset other(other_options);
  int seed_differing = 0;
  for (uint64_t epoch = 0; epoch < 4; ++epoch)
    seed_differing += same_values(ds.get(0, epoch).A, other.get(0, epoch).A) ? 0 : 1;
  REQUIRE(seed_differing >= 3);
}

TEST_CASE("aligned halves stay aligned under random crop and flip", "[data]") {
  TempDir dir("aligned");
  write_inverted_pairs(dir.path(), 4, 70, 50);
  for (Preprocess mode : {Preprocess::resize_and_crop, Preprocess::crop, Preprocess::scale_width_and_crop}) {
    INFO(preprocess_name(mode));
    AlignedDataset ds(options_for(dir.path(), mode, 64, 40));
    for (uint64_t epoch = 0; epoch < 6; ++epoch)
      for (int64_t i = 0; i < ds.size(); ++i) {
        const Sample s = ds.get(i, epoch);
        require_negated(s.A, s.B);
      }
  }
}

TEST_CASE("flips happen, and only when no_flip is off", "[data]") {
  TempDir dir("flip");
  write_inverted_pairs(dir.path(), 1, 32, 32);
  auto o = options_for(dir.path(), Preprocess::none, 286, 256);
  AlignedDataset flipping(o);
  o.no_flip = true;
  AlignedDataset plain(o);
  const Tensor reference = plain.get(0, 0).A;
  int flipped = 0;
  for (uint64_t epoch = 0; epoch < 16; ++epoch) {
    REQUIRE(same_values(plain.get(0, epoch).A, reference));
    const Tensor t = flipping.get(0, epoch).A;
    if (same_values(t, reference)) continue;
    ++flipped;
    // A flipped sample is the mirror image of the reference.
    const auto a = t.to_vector(), r = reference.to_vector();
    REQUIRE(a[0] == r[31]);
    REQUIRE(a[32 * 32 + 5 * 32 + 3] == r[32 * 32 + 5 * 32 + 28]);
  }
  REQUIRE(flipped >= 3);
  REQUIRE(flipped <= 13);
}

TEST_CASE("BtoA swaps the halves and gray output uses luma", "[data]") {
  TempDir dir("btoa");
  write_inverted_pairs(dir.path(), 2, 40, 40);
  auto o = options_for(dir.path(), Preprocess::crop, 286, 32);
  AlignedDataset forward(o);
  o.direction = Direction::BtoA;
  AlignedDataset backward(o);
  const Sample f = forward.get(1, 2), b = backward.get(1, 2);
  REQUIRE(same_values(f.A, b.B));
  REQUIRE(same_values(f.B, b.A));

  o.direction = Direction::AtoB;
  o.output_nc = 1;
  AlignedDataset gray(o);
  const Sample g = gray.get(1, 2);
  REQUIRE(g.A.shape() == Shape{3, 32, 32});
  REQUIRE(g.B.shape() == Shape{1, 32, 32});
  const auto rgb = f.B.to_vector(), luma = g.B.to_vector();
  const std::size_t plane = 32 * 32;
  for (std::size_t p = 0; p < plane; p += 97)
    REQUIRE(luma[p] == Approx(0.299 * rgb[p] + 0.587 * rgb[plane + p] + 0.114 * rgb[2 * plane + p]).margin(1e-5));
}

TEST_CASE("draw_crop_flip stays inside the resized image", "[data]") {
  DatasetOptions o;
  o.preprocess = Preprocess::scale_width_and_crop;
  o.load_size = 100;
  o.crop_size = 64;
  Generator gen(7);
  for (int k = 0; k < 200; ++k) {
    const CropFlip p = draw_crop_flip(o, 300, 150, gen);  // resized to 100 x 64
    REQUIRE(p.x >= 0);
    REQUIRE(p.x <= 36);
    REQUIRE(p.y == 0);
  }
}
