// Percentiles as numpy computes them, normalisation to [-1, 1] with clamping, and the
// denormalise round trip for volumes and tensors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "data/volume/intensity.hpp"
#include "data/volume/procedural_volume.hpp"
#include "data/volume/volume_tensor.hpp"

using namespace revgan;
using namespace revgan::data;
using Catch::Contains;

TEST_CASE("percentiles interpolate linearly between order statistics", "[data]") {
  const std::vector<float> v = {4, 1, 3, 2};
  REQUIRE(percentile(v, 0) == 1.0);
  REQUIRE(percentile(v, 100) == 4.0);
  REQUIRE(percentile(v, 50) == Approx(2.5));   // numpy.percentile([1, 2, 3, 4], 50)
  REQUIRE(percentile(v, 10) == Approx(1.3));   // rank 0.3
  std::vector<float> ramp(101);
  for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<float>(100 - i);
  REQUIRE(percentile(ramp, 0.5) == Approx(0.5));
  REQUIRE(percentile(ramp, 99.5) == Approx(99.5));
  REQUIRE_THROWS_WITH(percentile(std::vector<float>{}, 50), Contains("empty"));
  REQUIRE_THROWS_WITH(percentile(v, 101), Contains("outside 0..100"));
}

TEST_CASE("normalise maps robust percentiles to -1 and 1 and denormalise inverts it", "[data]") {
  Volume v = make_procedural_volume({.size = {16, 16, 16}, .seed = 5});
  for (std::size_t i = 0; i < v.data.size(); ++i) v.data[i] = v.data[i] * 800.0f + 40.0f;  // scanner-like units
  v.data[0] = 1e5f;  // an outlier the percentiles must ignore
  const IntensityScale scale = robust_intensity_scale(v);
  REQUIRE(scale.normalised);
  REQUIRE(scale.high < 2000.0);

  const Volume n = normalise(v);
  REQUIRE(n.intensity.low == scale.low);
  REQUIRE(n.intensity.high == scale.high);
  REQUIRE(std::all_of(n.data.begin(), n.data.end(), [](float x) { return x >= -1.0f && x <= 1.0f; }));
  REQUIRE(n.data[0] == 1.0f);  // clamped

  const Volume back = denormalise(n);
  REQUIRE_FALSE(back.intensity.normalised);
  double worst = 0.0;
  for (std::size_t i = 0; i < v.data.size(); ++i) {
    if (v.data[i] < scale.low || v.data[i] > scale.high) continue;  // clamped values are lost by design
    worst = std::max(worst, std::abs(static_cast<double>(back.data[i]) - v.data[i]) / (scale.high - scale.low));
  }
  REQUIRE(worst < 1e-6);

  // Without the clamp the outlier keeps its place above 1 and comes back exactly.
  const Volume unclamped = normalise(v, NormaliseOptions{.clamp = false});
  REQUIRE(unclamped.data[0] > 100.0f);
  REQUIRE(denormalise(unclamped).data[0] == Approx(1e5).epsilon(1e-6));
  REQUIRE(unclamped.data[1] == n.data[1]);

  // The tensor path (network outputs) agrees with the volume path.
  const Tensor t = denormalise(volume_to_tensor(n), n.intensity);
  const auto tv = t.to_vector();
  REQUIRE(std::vector<float>(tv.begin(), tv.end()) == back.data);
}

TEST_CASE("normalisation edge cases", "[data]") {
  const Volume flat = Volume::blank(1, 2, 2, 2, 7.0f);
  const Volume n = normalise(flat);  // constant: high = low + 1, everything at -1
  for (float x : n.data) REQUIRE(x == -1.0f);
  REQUIRE(denormalise(n).data == flat.data);
  REQUIRE_THROWS_WITH(denormalise(flat), Contains("not a normalisation"));
  REQUIRE_THROWS_WITH(normalise(flat, NormaliseOptions{60, 40}), Contains("below the high percentile"));
  const Volume custom = normalise(flat, IntensityScale{true, 0.0, 14.0});
  REQUIRE(custom.data[0] == 0.0f);
}
