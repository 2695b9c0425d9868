// Up-sampling a low-resolution volume onto a high-resolution grid by nearest neighbour,
// trilinear or cubic B-spline interpolation, all on one grid convention: align_corners = false,
// i.e. output voxel j along an axis of n_low -> n_high voxels sits at low-resolution coordinate
// (j + 0.5) n_low / n_high - 0.5. With n_high = factor n_low that is where block averaging
// (make_low_resolution) took low voxel i from: the centre of block [factor i, factor i + factor).
#pragma once

#include <span>
#include <string>

#include "data/volume/volume.hpp"

namespace revgan::data {

enum class Interpolation {
  nearest,    // the low voxel whose block holds the output voxel
  trilinear,  // ops::upsample_linear (what the networks' inputs have always been)
  cubic,      // cubic B-spline: exact interpolation of the samples, mirror boundaries
};

// "nearest" | "trilinear" | "cubic"; throws naming `option` otherwise.
Interpolation parse_interpolation(const std::string& option, const std::string& text);
const char* interpolation_name(Interpolation interpolation);

// `low` interpolated to `size` voxels per axis (each at least low's); geometry from
// `target_geometry`, intensity scale from `low`.
Volume interpolate_to_grid(const Volume& low, const Axes3& size, const VolumeGeometry& target_geometry,
                           Interpolation interpolation);

// The 1D pieces of the cubic B-spline, exposed for tests.
// In place: samples -> B-spline coefficients c with sum_k c[k] beta3(i - k) = samples[i] for every
// i, on the whole-sample mirror extension (s[-k] = s[k], s[n-1+k] = s[n-1-k]). Causal then
// anti-causal recursion with the pole sqrt(3) - 2, exact initial values.
void bspline_coefficients(std::span<double> line);
// The spline with coefficients `c` (mirror-extended) at coordinate x (any real).
double bspline_value(std::span<const double> c, double x);

}  // namespace revgan::data
