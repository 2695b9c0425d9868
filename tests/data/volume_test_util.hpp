// Helpers for the volume tests: small volumes with known values and geometry.
#pragma once

#include <cmath>
#include <cstdint>

#include "data/volume/volume.hpp"

namespace revgan::test {

// v = a*d + b*h + c*w + offset for channel 0 (channel k adds 10 k): block averages and
// trilinear interpolation reproduce such a field exactly away from the borders.
inline data::Volume ramp_volume(int64_t channels, data::Axes3 size, double a = 1.0, double b = 0.5, double c = 0.25,
                                double offset = 3.0) {
  data::Volume v = data::Volume::blank(channels, size[0], size[1], size[2]);
  for (int64_t k = 0; k < channels; ++k)
    for (int64_t d = 0; d < size[0]; ++d)
      for (int64_t h = 0; h < size[1]; ++h)
        for (int64_t w = 0; w < size[2]; ++w)
          v.at(k, d, h, w) = static_cast<float>(a * d + b * h + c * w + offset + 10.0 * k);
  return v;
}

// An oblique scanner geometry: rotated qform, sheared sform, anisotropic spacing.
inline data::VolumeGeometry oblique_geometry() {
  data::VolumeGeometry g;
  g.spacing = {2.0, 1.25, 0.75};  // (D, H, W)
  const double cs = std::cos(0.3), sn = std::sin(0.3);
  // Columns i (W), j (H), k (D), each scaled by its spacing; a rotation about z.
  g.qform_code = 1;
  g.qform = {{{cs * 0.75, -sn * 1.25, 0.0, -40.0}, {sn * 0.75, cs * 1.25, 0.0, 12.5}, {0.0, 0.0, 2.0, -7.0},
              {0.0, 0.0, 0.0, 1.0}}};
  g.sform_code = 4;
  g.sform = {{{0.75, 0.1, 0.0, -90.0}, {0.0, 1.25, 0.2, -126.0}, {0.05, 0.0, 2.0, -72.0}, {0.0, 0.0, 0.0, 1.0}}};
  g.xyz_units = 2;
  return g;
}

inline double max_affine_diff(const data::Affine& x, const data::Affine& y) {
  double worst = 0.0;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) worst = std::max(worst, std::abs(x[r][c] - y[r][c]));
  return worst;
}

}  // namespace revgan::test
