// Pixel-level image operations: channel conversion, cubic resize, crop, flip, and the
// conversion to and from [-1, 1] CHW tensors.
#include <stb_image_resize.h>

#include <algorithm>
#include <cmath>

#include "data/image.hpp"
#include "engine/core/check.hpp"

namespace revgan::data {

Image convert_channels(const Image& image, int64_t channels) {
  REVGAN_CHECK(channels == 1 || channels == 3, "convert_channels: {} channels requested (expected 1 or 3)", channels);
  REVGAN_CHECK(image.channels == 1 || image.channels == 3, "convert_channels: image has {} channels (expected 1 or 3)",
               image.channels);
  if (image.channels == channels) return image;
  Image out = Image::blank(image.width, image.height, channels, image.bit_depth);
  const int64_t n = image.width * image.height;
  const float* in = image.samples.data();
  float* o = out.samples.data();
  if (channels == 3) {
    for (int64_t p = 0; p < n; ++p) o[3 * p] = o[3 * p + 1] = o[3 * p + 2] = in[p];
  } else {
    for (int64_t p = 0; p < n; ++p) o[p] = 0.299f * in[3 * p] + 0.587f * in[3 * p + 1] + 0.114f * in[3 * p + 2];
  }
  return out;
}

Image resize(const Image& image, int64_t width, int64_t height) {
  REVGAN_CHECK(width > 0 && height > 0, "resize: target size {}x{} must be positive", width, height);
  REVGAN_CHECK(image.width > 0 && image.height > 0, "resize: empty source image");
  if (width == image.width && height == image.height) return image;
  Image out = Image::blank(width, height, image.channels, image.bit_depth);
  const int ok = stbir_resize_float_generic(
      image.samples.data(), static_cast<int>(image.width), static_cast<int>(image.height), 0, out.samples.data(),
      static_cast<int>(width), static_cast<int>(height), 0, static_cast<int>(image.channels), STBIR_ALPHA_CHANNEL_NONE,
      0, STBIR_EDGE_CLAMP, STBIR_FILTER_CATMULLROM, STBIR_COLORSPACE_LINEAR, nullptr);
  REVGAN_CHECK(ok != 0, "resize: stb_image_resize failed for {}x{} -> {}x{}", image.width, image.height, width,
               height);
  const float hi = image.max_value();
  for (float& v : out.samples) v = std::clamp(v, 0.0f, hi);
  return out;
}

Image crop(const Image& image, int64_t x, int64_t y, int64_t width, int64_t height) {
  REVGAN_CHECK(x >= 0 && y >= 0 && width > 0 && height > 0 && x + width <= image.width && y + height <= image.height,
               "crop: rectangle {}x{} at ({}, {}) does not fit a {}x{} image", width, height, x, y, image.width,
               image.height);
  Image out = Image::blank(width, height, image.channels, image.bit_depth);
  const int64_t row = width * image.channels;
  for (int64_t r = 0; r < height; ++r) {
    const float* src = image.samples.data() + image.index(y + r, x, 0);
    std::copy(src, src + row, out.samples.data() + r * row);
  }
  return out;
}

Image flip_horizontal(const Image& image) {
  Image out = Image::blank(image.width, image.height, image.channels, image.bit_depth);
  for (int64_t y = 0; y < image.height; ++y)
    for (int64_t x = 0; x < image.width; ++x)
      for (int64_t c = 0; c < image.channels; ++c) out.at(y, image.width - 1 - x, c) = image.at(y, x, c);
  return out;
}

Image concat_horizontal(const Image& left, const Image& right) {
  REVGAN_CHECK(left.height == right.height && left.channels == right.channels && left.bit_depth == right.bit_depth,
               "concat_horizontal: images differ ({}x{}x{}, {}-bit vs {}x{}x{}, {}-bit)", left.width, left.height,
               left.channels, left.bit_depth, right.width, right.height, right.channels, right.bit_depth);
  Image out = Image::blank(left.width + right.width, left.height, left.channels, left.bit_depth);
  for (int64_t y = 0; y < out.height; ++y) {
    const float* l = left.samples.data() + left.index(y, 0, 0);
    const float* r = right.samples.data() + right.index(y, 0, 0);
    float* o = out.samples.data() + out.index(y, 0, 0);
    o = std::copy(l, l + left.width * left.channels, o);
    std::copy(r, r + right.width * right.channels, o);
  }
  return out;
}

Tensor image_to_tensor(const Image& image) {
  REVGAN_CHECK(image.width > 0 && image.height > 0 && image.channels > 0, "image_to_tensor: empty image");
  Tensor t = Tensor::empty({image.channels, image.height, image.width}, DType::float32);
  float* out = t.data<float>();
  const float scale = 2.0f / image.max_value();
  const int64_t plane = image.width * image.height;
  for (int64_t p = 0; p < plane; ++p)
    for (int64_t c = 0; c < image.channels; ++c)
      out[c * plane + p] = image.samples[static_cast<std::size_t>(p * image.channels + c)] * scale - 1.0f;
  return t;
}

Image tensor_to_image(const Tensor& tensor, int bit_depth) {
  REVGAN_CHECK(tensor.defined(), "tensor_to_image: undefined tensor");
  const Shape& s = tensor.shape();
  const bool batched = s.rank() == 4;
  REVGAN_CHECK((s.rank() == 3 || (batched && s[0] == 1)), "tensor_to_image: expected [C, H, W] or [1, C, H, W], got {}",
               s.str());
  const int64_t c = s[batched ? 1 : 0], h = s[batched ? 2 : 1], w = s[batched ? 3 : 2];
  REVGAN_CHECK(c == 1 || c == 3, "tensor_to_image: {} channels (expected 1 or 3)", c);
  const Tensor host = tensor.detach().to(Device::cpu()).to(DType::float32);
  const float* in = host.data<float>();
  Image img = Image::blank(w, h, c, bit_depth);
  const float half_max = img.max_value() * 0.5f;
  const int64_t plane = w * h;
  for (int64_t p = 0; p < plane; ++p)
    for (int64_t k = 0; k < c; ++k) {
      const float v = std::clamp(in[k * plane + p], -1.0f, 1.0f);
      img.samples[static_cast<std::size_t>(p * c + k)] = std::round((v + 1.0f) * half_max);
    }
  return img;
}

}  // namespace revgan::data
