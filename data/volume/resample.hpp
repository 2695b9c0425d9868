// Grid changes for super-resolution: cropping, block-average down-sampling and trilinear
// up-sampling back onto a high-resolution grid. Affines follow every change.
#pragma once

#include <array>

#include "data/volume/volume.hpp"

namespace revgan::data {

// The box [origin, origin + size) in (D, H, W); it must lie inside the volume.
Volume crop(const Volume& volume, const Axes3& origin, const Axes3& size);

// The volume cut across `axis` (0: D, 1: H, 2: W) into [0, n / 2) and [n / 2, n), e.g. a training
// half and a held-out half of one scan; the affines follow, so each half stays where it was.
std::array<Volume, 2> split_in_halves(const Volume& volume, int axis);

// Drops the far-end remainder of each axis so that it is a multiple of factor (D, H, W).
Volume crop_to_multiple(const Volume& volume, const Axes3& factor);

// Each output voxel is the mean of a factor[0] x factor[1] x factor[2] block, e.g. {2, 2, 2},
// or {4, 1, 1} for thick slices along D (NIfTI z). Sizes that are not multiples of the factor
// are cropped first (crop_to_multiple), never padded: the high-resolution partner of a pair
// is cropped the same way, so both cover the same field of view.
Volume make_low_resolution(const Volume& volume, const Axes3& factor);

// Trilinear up-sampling (align_corners = false, through ops::upsample_linear with gradients
// off) of `low` to `size` voxels per axis. With size = factor * low.size() the voxel centres
// land where block averaging took them from. Geometry and intensity scale come from `target`.
Volume upsample_to_grid(const Volume& low, const Axes3& size, const VolumeGeometry& target_geometry);

}  // namespace revgan::data
