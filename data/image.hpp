// Host images for the data pipeline: reading and writing (JPEG through libjpeg-turbo, the rest
// through stb), channel conversion, cubic resizing, and conversion to and from CHW float
// tensors in [-1, 1].
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::data {

// Samples are kept as float in [0, max_value()] (row-major, channels interleaved) so 8- and
// 16-bit sources share one code path and resizing loses nothing; readers produce integers and
// writers round.
struct Image {
  int64_t width = 0;
  int64_t height = 0;
  int64_t channels = 0;  // 1 (gray) or 3 (RGB)
  int bit_depth = 8;     // 8 or 16: fixes the sample range
  std::vector<float> samples;

  static Image blank(int64_t width, int64_t height, int64_t channels, int bit_depth = 8, float fill = 0.0f);
  float max_value() const { return bit_depth == 16 ? 65535.0f : 255.0f; }
  int64_t index(int64_t y, int64_t x, int64_t c) const { return (y * width + x) * channels + c; }
  float& at(int64_t y, int64_t x, int64_t c) { return samples[static_cast<std::size_t>(index(y, x, c))]; }
  float at(int64_t y, int64_t x, int64_t c) const { return samples[static_cast<std::size_t>(index(y, x, c))]; }
};

// Header-only probe: size and channel count (after alpha is dropped) without decoding.
struct ImageInfo {
  int64_t width = 0;
  int64_t height = 0;
  int64_t channels = 0;
  int bit_depth = 8;
};
ImageInfo probe_image(const std::filesystem::path& path);

// Images larger than this are refused before decoding: a few header bytes can otherwise ask
// the decoder for gigabytes (16384 x 16384 is far beyond any dataset the models train on).
inline constexpr int64_t k_max_image_pixels = int64_t{1} << 28;

// PNG (8/16-bit), JPEG, BMP, TGA, PNM. An alpha channel is dropped (RGBA -> RGB, gray+alpha -> gray).
// JPEG pixels are bit-identical to PIL's (data/jpeg_codec.hpp); CMYK JPEGs come as RGB.
Image read_image(const std::filesystem::path& path);
// The same decoder over bytes in memory; `name` stands for the source in error messages.
Image read_image_from_memory(const uint8_t* bytes, std::size_t size, const std::string& name,
                             int64_t max_pixels = k_max_image_pixels);
// PNG keeps 16-bit images at 16 bits; JPEG is always 8-bit (16-bit input is scaled down).
void write_png(const Image& image, const std::filesystem::path& path);
void write_jpeg(const Image& image, const std::filesystem::path& path, int quality = 95);

// 1 or 3 channels: gray -> RGB replicates; RGB -> gray is ITU-R 601 luma (0.299 R + 0.587 G + 0.114 B).
Image convert_channels(const Image& image, int64_t channels);
// Catmull-Rom cubic (the interpolating cubic, as PIL's BICUBIC), edges clamped, result clamped
// to the sample range because the filter overshoots at edges.
Image resize(const Image& image, int64_t width, int64_t height);
// Sub-rectangle [x, x + width) x [y, y + height); must lie inside the image.
Image crop(const Image& image, int64_t x, int64_t y, int64_t width, int64_t height);
Image flip_horizontal(const Image& image);
// Side-by-side concatenation (same height, channels and depth).
Image concat_horizontal(const Image& left, const Image& right);

// CHW float32 with v / max * 2 - 1.
Tensor image_to_tensor(const Image& image);
// Back from [C, H, W] or [1, C, H, W] (C = 1 or 3), clamped to [-1, 1] and rounded to integers.
Image tensor_to_image(const Tensor& tensor, int bit_depth = 8);

}  // namespace revgan::data
