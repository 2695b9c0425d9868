// Cropping and block averaging on the host; up-sampling through the engine's own op so the
// data pipeline and the models agree on what "trilinear" means.
#include "data/volume/resample.hpp"

#include "data/volume/volume_tensor.hpp"
#include "engine/autograd/grad_mode.hpp"
#include "engine/core/check.hpp"
#include "engine/ops/upsample.hpp"

namespace revgan::data {

namespace {

std::array<double, 3> as_double(const Axes3& a) {
  return {static_cast<double>(a[0]), static_cast<double>(a[1]), static_cast<double>(a[2])};
}

}  // namespace

Volume crop(const Volume& volume, const Axes3& origin, const Axes3& size) {
  const Axes3 extent = volume.size();
  for (std::size_t a = 0; a < 3; ++a)
    REVGAN_CHECK(origin[a] >= 0 && size[a] > 0 && origin[a] + size[a] <= extent[a],
                 "crop: box at ({}, {}, {}) of size {}x{}x{} does not fit the {}x{}x{} volume", origin[0], origin[1],
                 origin[2], size[0], size[1], size[2], extent[0], extent[1], extent[2]);
  Volume out = Volume::blank(volume.channels, size[0], size[1], size[2]);
  for (int64_t c = 0; c < out.channels; ++c)
    for (int64_t d = 0; d < size[0]; ++d)
      for (int64_t h = 0; h < size[1]; ++h) {
        const float* src = volume.data.data() + volume.index(c, origin[0] + d, origin[1] + h, origin[2]);
        std::copy(src, src + size[2], &out.at(c, d, h, 0));
      }
  out.geometry = resampled_geometry(volume.geometry, {1.0, 1.0, 1.0}, as_double(origin));
  out.intensity = volume.intensity;
  return out;
}

std::array<Volume, 2> split_in_halves(const Volume& volume, int axis) {
  REVGAN_CHECK(axis >= 0 && axis < 3, "split_in_halves: axis must be 0 (D), 1 (H) or 2 (W), got {}", axis);
  const Axes3 extent = volume.size();
  const auto a = static_cast<std::size_t>(axis);
  REVGAN_CHECK(extent[a] >= 2, "split_in_halves: the {}x{}x{} volume has fewer than 2 voxels along axis {}", extent[0],
               extent[1], extent[2], axis);
  Axes3 first = extent, second = extent, origin{0, 0, 0};
  first[a] = extent[a] / 2;
  second[a] = extent[a] - first[a];
  origin[a] = first[a];
  return {crop(volume, {0, 0, 0}, first), crop(volume, origin, second)};
}

Volume crop_to_multiple(const Volume& volume, const Axes3& factor) {
  const Axes3 extent = volume.size();
  Axes3 size{};
  for (std::size_t a = 0; a < 3; ++a) {
    REVGAN_CHECK(factor[a] >= 1, "resolution factor ({}, {}, {}) must be positive", factor[0], factor[1], factor[2]);
    REVGAN_CHECK(factor[a] <= extent[a], "resolution factor ({}, {}, {}) is larger than the {}x{}x{} volume",
                 factor[0], factor[1], factor[2], extent[0], extent[1], extent[2]);
    size[a] = extent[a] / factor[a] * factor[a];
  }
  if (size == extent) return volume;
  return crop(volume, {0, 0, 0}, size);
}

Volume make_low_resolution(const Volume& volume, const Axes3& factor) {
  const Volume high = crop_to_multiple(volume, factor);
  Volume low = Volume::blank(high.channels, high.depth / factor[0], high.height / factor[1], high.width / factor[2]);
  const double inv = 1.0 / static_cast<double>(factor[0] * factor[1] * factor[2]);
  for (int64_t c = 0; c < low.channels; ++c)
    for (int64_t d = 0; d < low.depth; ++d)
      for (int64_t h = 0; h < low.height; ++h)
        for (int64_t w = 0; w < low.width; ++w) {
          double sum = 0.0;  // double: blocks of 64+ voxels would lose bits in float
          for (int64_t i = 0; i < factor[0]; ++i)
            for (int64_t j = 0; j < factor[1]; ++j)
              for (int64_t k = 0; k < factor[2]; ++k)
                sum += high.at(c, d * factor[0] + i, h * factor[1] + j, w * factor[2] + k);
          low.at(c, d, h, w) = static_cast<float>(sum * inv);
        }
  low.geometry = resampled_geometry(high.geometry, as_double(factor), {0.0, 0.0, 0.0});
  low.intensity = high.intensity;
  return low;
}

Volume upsample_to_grid(const Volume& low, const Axes3& size, const VolumeGeometry& target_geometry) {
  NoGradScope no_grad;  // data preparation, never part of a training graph
  const Tensor x = volume_to_tensor(low).reshape({1, low.channels, low.depth, low.height, low.width});
  const Tensor y = ops::upsample_linear(x, {size[0], size[1], size[2]});
  return tensor_to_volume(y, target_geometry, low.intensity);
}

}  // namespace revgan::data
