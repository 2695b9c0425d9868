// The real volume: Colin27 (the MNI single-subject T1 brain, BSD-licensed) from Debian's
// mricron-data, installed by scripts/install_deps.sh. Skipped with a warning when absent.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "data/volume/intensity.hpp"
#include "data/volume/nifti_io.hpp"
#include "data/volume/patch_sampler.hpp"

using namespace revgan;
using namespace revgan::data;

namespace {
const std::filesystem::path colin27 = "/usr/share/mricron/templates/ch2.nii.gz";
}

TEST_CASE("Colin27 reads with its MNI geometry and survives a normalise round trip", "[data]") {
  if (!std::filesystem::exists(colin27)) {
    WARN("skipped: " << colin27 << " is missing (apt-get install mricron-data)");
    return;
  }
  const Volume v = read_nifti(colin27);
  REQUIRE(v.channels == 1);
  REQUIRE(v.size() == Axes3{181, 217, 181});  // (D, H, W) = NIfTI (z, y, x)
  REQUIRE(v.geometry.spacing == std::array<double, 3>{1.0, 1.0, 1.0});
  REQUIRE(v.geometry.sform_code == 4);  // NIFTI_XFORM_MNI_152
  // MNI origin: voxel (x, y, z) = (90, 125, 71) is world (0, 0, 0).
  const Affine& s = v.geometry.sform;
  REQUIRE(s[0][3] == Approx(-90.0));
  REQUIRE(s[1][3] == Approx(-125.0));
  REQUIRE(s[2][3] == Approx(-71.0));
  REQUIRE(s[0][0] == Approx(1.0));
  const auto [lo, hi] = std::minmax_element(v.data.begin(), v.data.end());
  REQUIRE(*lo == 0.0f);  // uint8 T1 with a zero background
  REQUIRE(*hi <= 255.0f);
  REQUIRE(*hi > 100.0f);

  const Volume n = normalise(v);
  REQUIRE(n.intensity.low == 0.0);
  REQUIRE(n.intensity.high > 50.0);
  const Volume back = denormalise(n);
  std::size_t compared = 0;
  double worst = 0.0;
  for (std::size_t i = 0; i < v.data.size(); ++i) {
    if (v.data[i] > n.intensity.high) continue;  // the clamped top 0.5 %
    worst = std::max(worst, static_cast<double>(std::abs(back.data[i] - v.data[i])));
    ++compared;
  }
  REQUIRE(worst < 1e-3);
  REQUIRE(compared > v.data.size() * 99 / 100);

  // One super-resolution pair of the real brain: 181 is cropped to 180 along D and W.
  const VolumePair pair = make_super_resolution_pair(v, {2, 2, 2});
  REQUIRE(pair.target.size() == Axes3{180, 216, 180});
  REQUIRE(pair.input.size() == Axes3{180, 216, 180});
}
