// Nearest, trilinear and cubic B-spline up-sampling of volumes: the B-spline interpolates its
// samples and reproduces cubic polynomials, agrees with scipy.ndimage (golden values from
// tests/golden/generate_bspline_golden.py), and all three share the grid convention of block
// averaging, so a linear field comes back exactly.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "data/volume/hdf5_volume.hpp"
#include "data/volume/interpolation.hpp"
#include "data/volume/resample.hpp"
#include "engine/tensor/random.hpp"
#include "tests/data/volume_test_util.hpp"

using namespace revgan;
using namespace revgan::data;

namespace {

std::vector<double> random_line(int64_t n, uint64_t seed) {
  Generator gen(seed);
  std::vector<double> v(static_cast<std::size_t>(n));
  for (double& x : v) x = gen.uniform() * 2.0 - 1.0;
  return v;
}

double max_abs_diff(const Volume& a, const Volume& b) {
  REQUIRE(a.data.size() == b.data.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < a.data.size(); ++i)
    worst = std::max(worst, static_cast<double>(std::abs(a.data[i] - b.data[i])));
  return worst;
}

}  // namespace

TEST_CASE("cubic B-spline coefficients interpolate the samples exactly", "[data]") {
  // 2 .. 16 samples use the closed-form causal start, 40 the truncated sum.
  for (int64_t n : {1, 2, 3, 5, 16, 40}) {
    const std::vector<double> samples = random_line(n, static_cast<uint64_t>(n));
    std::vector<double> c = samples;
    bspline_coefficients(c);
    for (int64_t i = 0; i < n; ++i) {
      INFO("n " << n << " i " << i);
      REQUIRE(bspline_value(c, static_cast<double>(i)) == Approx(samples[static_cast<std::size_t>(i)]).margin(1e-12));
    }
    // Mirror boundary: the spline is even about the first and the last sample.
    if (n > 1) {
      REQUIRE(bspline_value(c, -0.3) == Approx(bspline_value(c, 0.3)).margin(1e-12));
      REQUIRE(bspline_value(c, n - 1 + 0.4) == Approx(bspline_value(c, n - 1 - 0.4)).margin(1e-12));
    }
  }
}

TEST_CASE("cubic B-spline interpolation reproduces cubic polynomials away from the borders", "[data]") {
  const auto p = [](double x) { return 0.5 - 0.3 * x + 0.02 * x * x - 0.0004 * x * x * x; };
  const int64_t n = 60;
  std::vector<double> c(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) c[static_cast<std::size_t>(i)] = p(static_cast<double>(i));
  bspline_coefficients(c);
  // The mirror extension is no polynomial; its effect decays as |sqrt(3) - 2|^k (1e-9 at k 16).
  double worst = 0.0;
  for (double x = 16.0; x <= n - 17.0; x += 0.125) worst = std::max(worst, std::abs(bspline_value(c, x) - p(x)));
  REQUIRE(worst < 1e-7);
  // Between the samples a cubic polynomial is not what linear interpolation gives.
  REQUIRE(std::abs(0.5 * (p(20.0) + p(21.0)) - p(20.5)) > 1e-3);
}

TEST_CASE("cubic up-sampling of volumes matches scipy.ndimage's mirror-mode spline", "[data]") {
  const std::string path = std::string(REVGAN_TEST_DATA_DIR) + "/golden/bspline.h5";
  const Volume low = read_hdf5_volume(path, "low");
  REQUIRE(low.size() == Axes3{5, 6, 7});
  for (const char* name : {"cubic_2_2_2", "cubic_4_1_1", "cubic_7_9_11"}) {
    INFO(name);
    const Volume expected = read_hdf5_volume(path, name);
    const Volume got = interpolate_to_grid(low, expected.size(), expected.geometry, Interpolation::cubic);
    REQUIRE(got.size() == expected.size());
    REQUIRE(max_abs_diff(got, expected) < 2e-6);  // float32 storage of values in about [-1.5, 1.5]
  }
}

TEST_CASE("every interpolation returns a linear field that block averaging sampled", "[data]") {
  // A linear ramp's block averages are its values at the block centres, where the
  // align_corners = false grid puts the low-resolution voxels.
  const Volume high = test::ramp_volume(1, {96, 48, 48}, 0.5, -0.25, 0.125);
  for (const Axes3& factor : {Axes3{2, 2, 2}, Axes3{4, 1, 1}}) {
    const Volume low = make_low_resolution(high, factor);
    for (Interpolation kind : {Interpolation::trilinear, Interpolation::cubic}) {
      INFO(interpolation_name(kind) << " factor " << factor[0] << "," << factor[1] << "," << factor[2]);
      const Volume up = interpolate_to_grid(low, high.size(), high.geometry, kind);
      REQUIRE(up.size() == high.size());
      // Interior: 10 low-resolution voxels from every border (the mirror boundary's effect on the
      // spline decays as 0.27^k); an axis that is not up-sampled is exact everywhere.
      Axes3 lo{}, hi{};
      for (std::size_t a = 0; a < 3; ++a) {
        lo[a] = factor[a] > 1 ? 10 * factor[a] : 0;
        hi[a] = high.size()[a] - lo[a];
      }
      double worst = 0.0;
      for (int64_t d = lo[0]; d < hi[0]; ++d)
        for (int64_t h = lo[1]; h < hi[1]; ++h)
          for (int64_t w = lo[2]; w < hi[2]; ++w)
            worst = std::max(worst, double(std::abs(up.at(0, d, h, w) - high.at(0, d, h, w))));
      REQUIRE(worst < 1e-4);
    }
  }
}

TEST_CASE("nearest takes each voxel from its block, trilinear is the engine's op, equal sizes are kept", "[data]") {
  Volume low = Volume::blank(2, 3, 4, 5);
  const std::vector<double> values = random_line(low.numel(), 7);
  for (std::size_t i = 0; i < values.size(); ++i) low.data[i] = static_cast<float>(values[i]);
  const Axes3 size{6, 8, 5};
  const Volume near = interpolate_to_grid(low, size, {}, Interpolation::nearest);
  for (int64_t c = 0; c < 2; ++c)
    for (int64_t d = 0; d < 6; ++d)
      for (int64_t h = 0; h < 8; ++h)
        for (int64_t w = 0; w < 5; ++w) REQUIRE(near.at(c, d, h, w) == low.at(c, d / 2, h / 2, w));
  REQUIRE(interpolate_to_grid(low, size, {}, Interpolation::trilinear).data == upsample_to_grid(low, size, {}).data);
  const Volume same = interpolate_to_grid(low, low.size(), {}, Interpolation::cubic);
  REQUIRE(same.data == low.data);
  // Channels are interpolated independently: channel 1 alone gives channel 1 of the pair.
  Volume one = Volume::blank(1, 3, 4, 5);
  std::copy(low.data.begin() + 60, low.data.end(), one.data.begin());
  const Volume both = interpolate_to_grid(low, {6, 8, 10}, {}, Interpolation::cubic);
  const Volume single = interpolate_to_grid(one, {6, 8, 10}, {}, Interpolation::cubic);
  REQUIRE(std::vector<float>(both.data.begin() + 480, both.data.end()) == single.data);

  CHECK(parse_interpolation("upsample", "cubic") == Interpolation::cubic);
  CHECK_THROWS_WITH(parse_interpolation("upsample", "bicubic"), Catch::Contains("option upsample") &&
                                                                     Catch::Contains("nearest, trilinear or cubic"));
  CHECK_THROWS_WITH(interpolate_to_grid(low, {2, 8, 10}, {}, Interpolation::cubic), Catch::Contains("cannot up-sample"));
}
