// Volume allocation and the affine bookkeeping shared by the readers, writers and resamplers.
#include "data/volume/volume.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <vector>


#include "engine/core/check.hpp"

namespace revgan::data {

Affine identity_affine() {
  Affine a{};
  for (int i = 0; i < 4; ++i) a[i][i] = 1.0;
  return a;
}

Affine scaling_affine(const std::array<double, 3>& spacing) {
  Affine a = identity_affine();
  // Affine column 0 is i (W), 1 is j (H), 2 is k (D).
  for (int axis = 0; axis < 3; ++axis) a[axis][axis] = spacing[static_cast<std::size_t>(2 - axis)];
  return a;
}

Volume Volume::blank(int64_t channels, int64_t depth, int64_t height, int64_t width, float fill) {
  REVGAN_CHECK(channels > 0 && depth > 0 && height > 0 && width > 0, "Volume::blank: bad size {}x{}x{}x{}", channels,
               depth, height, width);
  Volume v;
  v.channels = channels;
  v.depth = depth;
  v.height = height;
  v.width = width;
  v.data.assign(static_cast<std::size_t>(v.numel()), fill);
  return v;
}

VolumeGeometry resampled_geometry(const VolumeGeometry& geometry, const std::array<double, 3>& scale,
                                  const std::array<double, 3>& offset) {
  VolumeGeometry g = geometry;
  for (std::size_t a = 0; a < 3; ++a) g.spacing[a] = geometry.spacing[a] * scale[a];
  // New voxel n sits at old index offset + scale * n + (scale - 1) / 2: compose that map
  // (per affine column, i.e. per voxel axis) with each world affine.
  for (Affine* m : {&g.qform, &g.sform}) {
    Affine out = *m;
    for (int col = 0; col < 3; ++col) {
      const auto axis = static_cast<std::size_t>(2 - col);
      const double shift = offset[axis] + (scale[axis] - 1.0) / 2.0;
      for (int row = 0; row < 4; ++row) {
        out[row][3] += (*m)[row][col] * shift;
        out[row][col] = (*m)[row][col] * scale[axis];
      }
    }
    *m = out;
  }
  return g;
}

Axes3 parse_axes(const std::string& option, const std::string& text) {
  std::vector<int64_t> v;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view part = std::string_view(text).substr(start, comma - start);
    int64_t x = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), x);
    REVGAN_CHECK(ec == std::errc() && end == part.data() + part.size() && x >= 1,
                 "option {}: expected N or D,H,W (positive integers), got '{}'", option, text);
    v.push_back(x);
    start = comma + 1;
  }
  REVGAN_CHECK(v.size() == 1 || v.size() == 3, "option {}: expected one or three values (N or D,H,W), got '{}'",
               option, text);
  return v.size() == 1 ? Axes3{v[0], v[0], v[0]} : Axes3{v[0], v[1], v[2]};
}

}  // namespace revgan::data
