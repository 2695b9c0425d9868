// Block-average down-sampling with known values, cropping of sizes that are not multiples of
// the factor, and the affines that must keep every voxel at its world position.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "data/volume/resample.hpp"
#include "tests/data/volume_test_util.hpp"

using namespace revgan;
using namespace revgan::data;
using Catch::Contains;

namespace {

// World position of voxel (d, h, w) under an affine (columns: i = w, j = h, k = d).
std::array<double, 3> world(const Affine& a, double d, double h, double w) {
  std::array<double, 3> p{};
  for (int r = 0; r < 3; ++r) p[static_cast<std::size_t>(r)] = a[r][0] * w + a[r][1] * h + a[r][2] * d + a[r][3];
  return p;
}

}  // namespace

TEST_CASE("block averaging gives the mean of each block", "[data]") {
  Volume v = Volume::blank(1, 2, 2, 4);
  for (std::size_t i = 0; i < v.data.size(); ++i) v.data[i] = static_cast<float>(i);  // 0..15
  const Volume low = make_low_resolution(v, {2, 2, 2});
  REQUIRE(low.size() == Axes3{1, 1, 2});
  // Block w in {0, 1}: indices {0,1,4,5,8,9,12,13} -> 6.5; w in {2, 3}: +2 -> 8.5.
  REQUIRE(low.data == std::vector<float>{6.5f, 8.5f});

  const Volume thick = make_low_resolution(v, {2, 1, 1});  // thick slices along D only
  REQUIRE(thick.size() == Axes3{1, 2, 4});
  REQUIRE(thick.at(0, 0, 1, 3) == Approx((7.0 + 15.0) / 2));
  REQUIRE(thick.geometry.spacing == std::array<double, 3>{2.0, 1.0, 1.0});
}

TEST_CASE("the low resolution of a constant-by-block field is the field's block values", "[data]") {
  const Axes3 factor{2, 3, 2};
  Volume v = Volume::blank(2, 6, 9, 4);
  for (int64_t c = 0; c < 2; ++c)
    for (int64_t d = 0; d < 6; ++d)
      for (int64_t h = 0; h < 9; ++h)
        for (int64_t w = 0; w < 4; ++w)
          v.at(c, d, h, w) = static_cast<float>(100 * c + 10 * (d / 2) + 3 * (h / 3) + (w / 2));
  const Volume low = make_low_resolution(v, factor);
  REQUIRE(low.channels == 2);
  REQUIRE(low.size() == Axes3{3, 3, 2});
  for (int64_t c = 0; c < 2; ++c)
    for (int64_t d = 0; d < 3; ++d)
      for (int64_t h = 0; h < 3; ++h)
        for (int64_t w = 0; w < 2; ++w) REQUIRE(low.at(c, d, h, w) == static_cast<float>(100 * c + 10 * d + 3 * h + w));
}

TEST_CASE("sizes that are not multiples of the factor are cropped at the far end", "[data]") {
  const Volume v = test::ramp_volume(1, {5, 6, 7});
  const Volume high = crop_to_multiple(v, {2, 2, 2});
  REQUIRE(high.size() == Axes3{4, 6, 6});
  REQUIRE(high.at(0, 3, 5, 5) == v.at(0, 3, 5, 5));
  const Volume low = make_low_resolution(v, {2, 2, 2});
  REQUIRE(low.size() == Axes3{2, 3, 3});
  // The ramp's block mean is its value at the block centre.
  REQUIRE(low.at(0, 1, 2, 0) == Approx(1.0 * 2.5 + 0.5 * 4.5 + 0.25 * 0.5 + 3.0));
  REQUIRE_THROWS_WITH(make_low_resolution(v, {0, 1, 1}), Contains("must be positive"));
  REQUIRE_THROWS_WITH(make_low_resolution(v, {1, 1, 8}), Contains("larger than the 5x6x7 volume"));
}

TEST_CASE("a volume splits into two halves across each axis, each where it was", "[data]") {
  Volume v = test::ramp_volume(1, {5, 6, 7});
  v.geometry = test::oblique_geometry();
  for (int axis = 0; axis < 3; ++axis) {
    INFO("axis " << axis);
    const auto [first, second] = split_in_halves(v, axis);
    const auto a = static_cast<std::size_t>(axis);
    CHECK(first.size()[a] == v.size()[a] / 2);
    CHECK(first.size()[a] + second.size()[a] == v.size()[a]);
    for (std::size_t b = 0; b < 3; ++b)
      if (b != a) CHECK(second.size()[b] == v.size()[b]);
    // The second half's first voxel is the whole volume's voxel at the cut, in value and place.
    Axes3 cut{0, 0, 0};
    cut[a] = first.size()[a];
    CHECK(second.at(0, 0, 0, 0) == v.at(0, cut[0], cut[1], cut[2]));
    const auto p = world(second.geometry.sform, 0, 0, 0);
    const auto q = world(v.geometry.sform, static_cast<double>(cut[0]), static_cast<double>(cut[1]),
                         static_cast<double>(cut[2]));
    for (std::size_t r = 0; r < 3; ++r) CHECK(p[r] == Approx(q[r]));
  }
  REQUIRE_THROWS_WITH(split_in_halves(v, 3), Contains("axis must be"));
  REQUIRE_THROWS_WITH(split_in_halves(test::ramp_volume(1, {1, 4, 4}), 0), Contains("fewer than 2"));
}

TEST_CASE("resampled volumes keep their world positions", "[data]") {
  Volume v = test::ramp_volume(1, {8, 6, 4});
  v.geometry = test::oblique_geometry();
  const Volume low = make_low_resolution(v, {2, 3, 2});
  // Low voxel (1, 1, 1) is the centre of high voxels d 2..3, h 3..5, w 2..3.
  for (const Affine* pair : {&low.geometry.qform, &low.geometry.sform}) {
    const Affine& high_affine = pair == &low.geometry.qform ? v.geometry.qform : v.geometry.sform;
    const auto a = world(*pair, 1, 1, 1);
    const auto b = world(high_affine, 2.5, 4.0, 2.5);
    for (std::size_t i = 0; i < 3; ++i) REQUIRE(a[i] == Approx(b[i]));
  }
  REQUIRE(low.geometry.spacing == std::array<double, 3>{4.0, 3.75, 1.5});

  const Volume part = crop(v, {1, 2, 3}, {2, 2, 1});
  const auto a = world(part.geometry.sform, 0, 0, 0);
  const auto b = world(v.geometry.sform, 1, 2, 3);
  for (std::size_t i = 0; i < 3; ++i) REQUIRE(a[i] == Approx(b[i]));
  REQUIRE(part.at(0, 1, 1, 0) == v.at(0, 2, 3, 3));
  REQUIRE_THROWS_WITH(crop(v, {7, 0, 0}, {2, 1, 1}), Contains("does not fit"));
}

TEST_CASE("up-sampling a block average reproduces a linear field inside the volume", "[data]") {
  const Volume high = test::ramp_volume(1, {8, 8, 8});
  const Volume low = make_low_resolution(high, {2, 2, 2});
  const Volume up = upsample_to_grid(low, high.size(), high.geometry);
  REQUIRE(up.size() == high.size());
  // align_corners = false clamps within half a low-res voxel of the border.
  double worst = 0.0;
  for (int64_t d = 1; d < 7; ++d)
    for (int64_t h = 1; h < 7; ++h)
      for (int64_t w = 1; w < 7; ++w) worst = std::max(worst, std::abs(double{up.at(0, d, h, w)} - high.at(0, d, h, w)));
  REQUIRE(worst < 1e-4);
  REQUIRE(std::abs(up.at(0, 0, 0, 0) - high.at(0, 0, 0, 0)) > 0.1);  // the clamped corner differs
}
