// Preprocessing in the order of pix2pix's get_transform: resize or scale_width, crop, the
// multiple-of-4 fix for "none", flip. The last three steps and the channel conversion are fused
// into the single pass that writes the tensor.
#include "data/preprocess.hpp"

#include <algorithm>
#include <cmath>

#include "engine/core/check.hpp"

namespace revgan::data {

namespace {

bool crops(Preprocess p) {
  return p == Preprocess::resize_and_crop || p == Preprocess::crop || p == Preprocess::scale_width_and_crop;
}

// "none" still rounds sizes to a multiple of 4, as pix2pix does, so the generators' strided
// convolutions and their transposes give back the input size. Ties round to even, like Python's round().
int64_t round_to_multiple(int64_t v, int64_t base) {
  return std::max<int64_t>(base, static_cast<int64_t>(std::nearbyint(static_cast<double>(v) / base)) * base);
}

}  // namespace

void validate_options(const DatasetOptions& o) {
  REVGAN_CHECK(o.input_nc == 1 || o.input_nc == 3, "dataset {}: input_nc = {} (expected 1 or 3)", o.dataroot.string(),
               o.input_nc);
  REVGAN_CHECK(o.output_nc == 1 || o.output_nc == 3, "dataset {}: output_nc = {} (expected 1 or 3)",
               o.dataroot.string(), o.output_nc);
  REVGAN_CHECK(o.load_size > 0 && o.crop_size > 0, "dataset {}: load_size {} and crop_size {} must be positive",
               o.dataroot.string(), o.load_size, o.crop_size);
  REVGAN_CHECK(o.max_dataset_size > 0, "dataset {}: max_dataset_size must be positive", o.dataroot.string());
  const bool resizes_then_crops =
      o.preprocess == Preprocess::resize_and_crop || o.preprocess == Preprocess::scale_width_and_crop;
  REVGAN_CHECK(!resizes_then_crops || o.crop_size <= o.load_size,
               "dataset {}: crop_size {} is larger than load_size {} (preprocess {})", o.dataroot.string(),
               o.crop_size, o.load_size, preprocess_name(o.preprocess));
}

std::pair<int64_t, int64_t> resized_size(const DatasetOptions& o, int64_t w, int64_t h) {
  switch (o.preprocess) {
    case Preprocess::resize_and_crop:
      return {o.load_size, o.load_size};
    case Preprocess::scale_width:
    case Preprocess::scale_width_and_crop:
      if (w == o.load_size && h >= o.crop_size) return {w, h};
      // Height never drops below crop_size, so a later crop always fits.
      return {o.load_size, std::max(o.load_size * h / w, o.crop_size)};
    case Preprocess::crop:
      return {w, h};
    case Preprocess::none:
      return {round_to_multiple(w, 4), round_to_multiple(h, 4)};
  }
  REVGAN_FAIL("unknown preprocess mode");
}

std::pair<int64_t, int64_t> preprocessed_size(const DatasetOptions& o, int64_t w, int64_t h) {
  if (crops(o.preprocess)) return {o.crop_size, o.crop_size};
  return resized_size(o, w, h);
}

void check_crop_fits(const DatasetOptions& o, int64_t w, int64_t h, const std::string& path) {
  if (!crops(o.preprocess)) return;
  const auto [rw, rh] = resized_size(o, w, h);
  REVGAN_CHECK(rw >= o.crop_size && rh >= o.crop_size,
               "image {}: crop_size {} is larger than the image ({}x{} after preprocess {})", path, o.crop_size, rw, rh,
               preprocess_name(o.preprocess));
}

CropFlip draw_crop_flip(const DatasetOptions& o, int64_t w, int64_t h, Generator& gen) {
  const auto [rw, rh] = resized_size(o, w, h);
  const bool crop = crops(o.preprocess);
  const uint64_t range_x = crop ? static_cast<uint64_t>(std::max<int64_t>(0, rw - o.crop_size)) + 1 : 1;
  const uint64_t range_y = crop ? static_cast<uint64_t>(std::max<int64_t>(0, rh - o.crop_size)) + 1 : 1;
  CropFlip p;
  p.x = static_cast<int64_t>(gen.below(range_x));
  p.y = static_cast<int64_t>(gen.below(range_y));
  const bool coin = gen.uniform() < 0.5;
  p.flip = !o.no_flip && coin;
  return p;
}

Tensor preprocess_image(const Image& image, int64_t channels, const DatasetOptions& o, const CropFlip& p,
                        const std::string& path) {
  REVGAN_CHECK(image.channels == 1 || image.channels == 3, "image {}: {} channels (expected 1 or 3)", path,
               image.channels);
  check_crop_fits(o, image.width, image.height, path);
  const auto [rw, rh] = resized_size(o, image.width, image.height);
  Image scaled;  // stays empty when no resize is needed, saving a copy
  if (rw != image.width || rh != image.height) scaled = resize(image, rw, rh);
  const Image& resized = scaled.samples.empty() ? image : scaled;
  const bool crop = crops(o.preprocess);
  const int64_t ow = crop ? o.crop_size : rw, oh = crop ? o.crop_size : rh;
  REVGAN_CHECK(p.x >= 0 && p.y >= 0 && p.x + ow <= rw && p.y + oh <= rh,
               "image {}: crop offset ({}, {}) outside the {}x{} image", path, p.x, p.y, rw, rh);

  Tensor t = Tensor::empty({channels, oh, ow}, DType::float32);
  float* out = t.data<float>();
  const float scale = 2.0f / resized.max_value();
  const int64_t plane = ow * oh, ic = resized.channels;
  for (int64_t y = 0; y < oh; ++y) {
    const float* row = resized.samples.data() + resized.index(p.y + y, p.x, 0);
    for (int64_t x = 0; x < ow; ++x) {
      const float* px = row + (p.flip ? ow - 1 - x : x) * ic;
      const int64_t o_idx = y * ow + x;
      if (ic == channels) {
        for (int64_t c = 0; c < channels; ++c) out[c * plane + o_idx] = px[c] * scale - 1.0f;
      } else if (channels == 1) {
        out[o_idx] = (0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2]) * scale - 1.0f;
      } else {
        for (int64_t c = 0; c < 3; ++c) out[c * plane + o_idx] = px[0] * scale - 1.0f;
      }
    }
  }
  return t;
}

}  // namespace revgan::data
