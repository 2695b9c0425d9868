// Interpolation onto a finer grid. Nearest and cubic are separable: each axis in turn is
// resampled line by line (for the B-spline: prefilter the line, then evaluate the spline at the
// new coordinates), which equals the tensor-product interpolant because the per-axis operators
// act on different indices and commute. Trilinear goes through the engine's op so that data
// and models agree on it bit for bit.
#include "data/volume/interpolation.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "data/volume/resample.hpp"
#include "engine/core/check.hpp"

namespace revgan::data {

namespace {

// The pole of the cubic B-spline's inverse filter.
const double k_pole = std::sqrt(3.0) - 2.0;

// Index k of the whole-sample mirror extension of n samples (period 2n - 2).
int64_t mirror(int64_t k, int64_t n) {
  if (n == 1) return 0;
  const int64_t period = 2 * n - 2;
  k %= period;
  if (k < 0) k += period;
  return k < n ? k : period - k;
}

// Low-resolution coordinate of output voxel j (align_corners = false).
double source_coordinate(int64_t j, int64_t n_low, int64_t n_high) {
  return (static_cast<double>(j) + 0.5) * static_cast<double>(n_low) / static_cast<double>(n_high) - 0.5;
}

// out[j] for j < n_high from in[0 .. n_low).
using LineFn = std::function<void(std::span<double> in, std::span<double> out)>;

// `volume` with axis `axis` (0 D, 1 H, 2 W) resampled to `n_out` voxels by `fn`, line by line.
Volume resample_axis(const Volume& volume, int axis, int64_t n_out, const LineFn& fn) {
  Axes3 size = volume.size();
  const auto a = static_cast<std::size_t>(axis);
  const int64_t n_in = size[a];
  Axes3 out_size = size;
  out_size[a] = n_out;
  Volume out = Volume::blank(volume.channels, out_size[0], out_size[1], out_size[2]);
  // Strides of the resampled axis in both volumes; the other two axes enumerate the lines.
  const int64_t in_stride = axis == 0 ? size[1] * size[2] : axis == 1 ? size[2] : 1;
  const int64_t out_stride = axis == 0 ? out_size[1] * out_size[2] : axis == 1 ? out_size[2] : 1;
  std::vector<double> in_line(static_cast<std::size_t>(n_in)), out_line(static_cast<std::size_t>(n_out));
  for (int64_t c = 0; c < volume.channels; ++c)
    for (int64_t d = 0; d < (axis == 0 ? 1 : size[0]); ++d)
      for (int64_t h = 0; h < (axis == 1 ? 1 : size[1]); ++h)
        for (int64_t w = 0; w < (axis == 2 ? 1 : size[2]); ++w) {
          const float* src = volume.data.data() + volume.index(c, d, h, w);
          float* dst = out.data.data() + out.index(c, d, h, w);
          for (int64_t i = 0; i < n_in; ++i) in_line[static_cast<std::size_t>(i)] = src[i * in_stride];
          fn(in_line, out_line);
          for (int64_t j = 0; j < n_out; ++j) dst[j * out_stride] = static_cast<float>(out_line[static_cast<std::size_t>(j)]);
        }
  return out;
}

void nearest_line(std::span<double> in, std::span<double> out) {
  const auto n_in = static_cast<int64_t>(in.size()), n_out = static_cast<int64_t>(out.size());
  for (int64_t j = 0; j < n_out; ++j) {
    const auto i = static_cast<int64_t>(std::floor((static_cast<double>(j) + 0.5) * static_cast<double>(n_in) /
                                                   static_cast<double>(n_out)));
    out[static_cast<std::size_t>(j)] = in[static_cast<std::size_t>(std::clamp<int64_t>(i, 0, n_in - 1))];
  }
}

void cubic_line(std::span<double> in, std::span<double> out) {
  bspline_coefficients(in);
  const auto n_in = static_cast<int64_t>(in.size()), n_out = static_cast<int64_t>(out.size());
  for (int64_t j = 0; j < n_out; ++j) out[static_cast<std::size_t>(j)] = bspline_value(in, source_coordinate(j, n_in, n_out));
}

}  // namespace

Interpolation parse_interpolation(const std::string& option, const std::string& text) {
  if (text == "nearest") return Interpolation::nearest;
  if (text == "trilinear") return Interpolation::trilinear;
  if (text == "cubic") return Interpolation::cubic;
  REVGAN_FAIL("option {}: expected nearest, trilinear or cubic, got '{}'", option, text);
}

const char* interpolation_name(Interpolation interpolation) {
  switch (interpolation) {
    case Interpolation::nearest: return "nearest";
    case Interpolation::trilinear: return "trilinear";
    case Interpolation::cubic: return "cubic";
  }
  return "?";
}

void bspline_coefficients(std::span<double> c) {
  const auto n = static_cast<int64_t>(c.size());
  if (n < 2) return;  // one sample: the constant spline, whose coefficient is the sample
  const double z = k_pole;
  for (double& v : c) v *= (1.0 - z) * (1.0 - 1.0 / z);  // the filter's gain, 6
  // Causal initial value: sum over one period of the mirror extension, sum_k z^k s[mirror(k)],
  // summed to convergence (|z|^k below 1e-17) or exactly with the period's closed form.
  const int64_t period = 2 * n - 2;
  const auto horizon = static_cast<int64_t>(std::ceil(std::log(1e-17) / std::log(std::abs(z))));
  double c0 = 0.0;
  if (horizon < period) {
    double zk = 1.0;
    for (int64_t k = 0; k < horizon; ++k, zk *= z) c0 += zk * c[static_cast<std::size_t>(mirror(k, n))];
  } else {
    double zk = 1.0;
    for (int64_t k = 0; k < period; ++k, zk *= z) c0 += zk * c[static_cast<std::size_t>(mirror(k, n))];
    c0 /= 1.0 - zk;  // zk = z^period: the geometric sum over all periods
  }
  c[0] = c0;
  for (int64_t k = 1; k < n; ++k) c[static_cast<std::size_t>(k)] += z * c[static_cast<std::size_t>(k - 1)];
  // Anti-causal initial value for the mirror extension, then the backward recursion.
  const auto last = static_cast<std::size_t>(n - 1);
  c[last] = z / (z * z - 1.0) * (c[last] + z * c[last - 1]);
  for (int64_t k = n - 2; k >= 0; --k) {
    const auto i = static_cast<std::size_t>(k);
    c[i] = z * (c[i + 1] - c[i]);
  }
}

double bspline_value(std::span<const double> c, double x) {
  const auto n = static_cast<int64_t>(c.size());
  REVGAN_CHECK(n > 0, "bspline_value: no coefficients");
  const double base = std::floor(x);
  const double t = x - base;
  const auto i = static_cast<int64_t>(base);
  const double u = 1.0 - t;
  // beta3 at distances 1 + t, t, 1 - t, 2 - t from the four nearest knots i - 1 .. i + 2.
  const double w[4] = {u * u * u / 6.0, (4.0 - 6.0 * t * t + 3.0 * t * t * t) / 6.0,
                       (1.0 + 3.0 * t + 3.0 * t * t - 3.0 * t * t * t) / 6.0, t * t * t / 6.0};
  double value = 0.0;
  for (int64_t k = 0; k < 4; ++k) value += w[k] * c[static_cast<std::size_t>(mirror(i - 1 + k, n))];
  return value;
}

Volume interpolate_to_grid(const Volume& low, const Axes3& size, const VolumeGeometry& target_geometry,
                           Interpolation interpolation) {
  const Axes3 extent = low.size();
  for (std::size_t a = 0; a < 3; ++a)
    REVGAN_CHECK(extent[a] >= 1 && size[a] >= extent[a],
                 "interpolate_to_grid: cannot up-sample {}x{}x{} to {}x{}x{} (every axis must grow or stay)",
                 extent[0], extent[1], extent[2], size[0], size[1], size[2]);
  if (interpolation == Interpolation::trilinear) return upsample_to_grid(low, size, target_geometry);
  const LineFn line = interpolation == Interpolation::cubic ? LineFn(cubic_line) : LineFn(nearest_line);
  Volume out = low;
  // An axis that keeps its size is left as it is: both interpolate the samples exactly.
  for (int axis = 0; axis < 3; ++axis) {
    const int64_t n = size[static_cast<std::size_t>(axis)];
    if (n != out.size()[static_cast<std::size_t>(axis)]) out = resample_axis(out, axis, n, line);
  }
  out.geometry = target_geometry;
  out.intensity = low.intensity;
  return out;
}

}  // namespace revgan::data
