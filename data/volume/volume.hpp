// 3D volumes for the super-resolution pipeline: C x D x H x W float voxels with the scanner
// geometry they were read with and the intensity mapping that took them to [-1, 1].
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace revgan::data {

// Every per-axis array of the volume code is in tensor order (D, H, W): D is NIfTI's k (z)
// axis, H its j (y), W its i (x), which is the order NIfTI stores voxels in (x fastest).
using Axes3 = std::array<int64_t, 3>;

// "N" (the same on every axis) or "D,H,W" of positive integers, in (D, H, W) order; throws naming
// `option` (e.g. "patch_size") otherwise.
Axes3 parse_axes(const std::string& option, const std::string& text);

// NIfTI's convention: (i, j, k, 1) -> (x, y, z, 1) in world millimetres, row-major.
using Affine = std::array<std::array<double, 4>, 4>;
Affine identity_affine();
Affine scaling_affine(const std::array<double, 3>& spacing);  // spacing in (D, H, W) order

struct VolumeGeometry {
  std::array<double, 3> spacing{1.0, 1.0, 1.0};  // voxel size (D, H, W), in xyz_units
  int qform_code = 0;                             // NIFTI_XFORM_*; 0: unknown
  Affine qform = identity_affine();
  int sform_code = 0;
  Affine sform = identity_affine();
  int xyz_units = 2;  // NIFTI_UNITS_MM
};

// normalised: voxel v stands for (v + 1) / 2 * (high - low) + low in the source units.
struct IntensityScale {
  bool normalised = false;
  double low = 0.0;
  double high = 1.0;
};

struct Volume {
  int64_t channels = 0;
  int64_t depth = 0;
  int64_t height = 0;
  int64_t width = 0;
  std::vector<float> data;  // [C][D][H][W], row-major
  VolumeGeometry geometry;
  IntensityScale intensity;

  static Volume blank(int64_t channels, int64_t depth, int64_t height, int64_t width, float fill = 0.0f);
  Axes3 size() const { return {depth, height, width}; }
  int64_t numel() const { return channels * depth * height * width; }
  int64_t index(int64_t c, int64_t d, int64_t h, int64_t w) const { return ((c * depth + d) * height + h) * width + w; }
  float& at(int64_t c, int64_t d, int64_t h, int64_t w) { return data[static_cast<std::size_t>(index(c, d, h, w))]; }
  float at(int64_t c, int64_t d, int64_t h, int64_t w) const {
    return data[static_cast<std::size_t>(index(c, d, h, w))];
  }
};

// The geometry of a grid whose voxel (i, j, k) covers `scale` voxels of `geometry` starting
// at `offset` voxels (both in (D, H, W) order): block averaging and cropping move the voxel
// centres, and the affines must follow so that the result still lands where it came from.
VolumeGeometry resampled_geometry(const VolumeGeometry& geometry, const std::array<double, 3>& scale,
                                  const std::array<double, 3>& offset);

}  // namespace revgan::data
