// Padding to the network's size multiple and cropping back, on CPU float32 tensors through the
// box copies of engine/streaming.
#include "tools/infer/tiling.hpp"

#include <algorithm>

#include "engine/core/check.hpp"
#include "engine/streaming/box_copy.hpp"

namespace revgan::infer {

namespace {

using streaming::Axes;
using streaming::Box;

int64_t round_up(int64_t v, int64_t m) {
  return (v + m - 1) / m * m;
}

int spatial_dims(const Tensor& x, const char* what) {
  REVGAN_CHECK(x.defined() && (x.dim() == 4 || x.dim() == 5) && x.dtype() == DType::float32 && x.device().is_cpu(),
               "{}: expected a CPU float32 [N, C, (D,) H, W] tensor, got {}", what,
               x.defined() ? x.describe() : std::string("an undefined tensor"));
  return x.dim() - 2;
}

// Per-spatial-axis values (2 or 3 of them) as (D, H, W) with `fill` for an image's depth.
Axes to_axes(const std::vector<int64_t>& v, int dims, int64_t fill, const char* what) {
  REVGAN_CHECK(static_cast<int>(v.size()) == dims, "{}: {} values for {} spatial axes", what, v.size(), dims);
  Axes a{fill, fill, fill};
  for (int i = 0; i < dims; ++i) a[static_cast<std::size_t>(3 - dims + i)] = v[static_cast<std::size_t>(i)];
  return a;
}

}  // namespace

Tensor mirror_pad(const Tensor& x, const std::vector<int64_t>& before, const std::vector<int64_t>& after) {
  const int dims = spatial_dims(x, "mirror_pad");
  const Axes b = to_axes(before, dims, 0, "mirror_pad"), a = to_axes(after, dims, 0, "mirror_pad");
  const Axes n = streaming::spatial_extent(x);
  Box out;
  for (std::size_t i = 0; i < 3; ++i) {
    REVGAN_CHECK(b[i] >= 0 && a[i] >= 0, "mirror_pad: negative padding");
    out.hi[i] = n[i] + b[i] + a[i];
  }
  return streaming::mirror_box(x, streaming::whole_box(n), out, b, n);
}

Tensor mirror_pad(const Tensor& x, int64_t top, int64_t bottom, int64_t left, int64_t right) {
  return mirror_pad(x, std::vector<int64_t>{top, left}, std::vector<int64_t>{bottom, right});
}

Tensor crop(const Tensor& t, const std::vector<int64_t>& origin, const std::vector<int64_t>& size) {
  const int dims = spatial_dims(t, "crop");
  const Axes o = to_axes(origin, dims, 0, "crop"), s = to_axes(size, dims, 1, "crop");
  return streaming::crop_box(t, Box{o, {o[0] + s[0], o[1] + s[1], o[2] + s[2]}});
}

Tensor crop(const Tensor& t, int64_t y, int64_t x, int64_t h, int64_t w) {
  return crop(t, std::vector<int64_t>{y, x}, std::vector<int64_t>{h, w});
}

int64_t padded_extent(int64_t extent, const TileOptions& o) {
  return std::max(round_up(extent, o.multiple), round_up(o.min_size, o.multiple));
}

Tensor pad_to_multiple(const Tensor& x, const TileOptions& o) {
  const int dims = spatial_dims(x, "pad_to_multiple");
  std::vector<int64_t> after, before(static_cast<std::size_t>(dims), 0);
  bool any = false;
  for (int a = 0; a < dims; ++a) {
    after.push_back(padded_extent(x.size(2 + a), o) - x.size(2 + a));
    any = any || after.back() > 0;
  }
  return any ? mirror_pad(x, before, after) : x;
}

Tensor crop_to(const Tensor& t, const std::vector<int64_t>& extent) {
  const int dims = spatial_dims(t, "crop_to");
  bool same = true;
  for (int a = 0; a < dims; ++a) same = same && t.size(2 + a) == extent[static_cast<std::size_t>(a)];
  return same ? t : crop(t, std::vector<int64_t>(static_cast<std::size_t>(dims), 0), extent);
}

Tensor run_whole(const Tensor& x, const ImageFn& fn, const TileOptions& o) {
  const int dims = spatial_dims(x, "run_whole");
  std::vector<int64_t> extent;
  for (int a = 0; a < dims; ++a) extent.push_back(x.size(2 + a));
  const Tensor padded = pad_to_multiple(x, o);
  Tensor y = fn(padded);
  bool ok =
      y.defined() && y.dim() == x.dim() && y.size(0) == x.size(0) && y.dtype() == DType::float32 && y.device().is_cpu();
  for (int a = 2; ok && a < x.dim(); ++a) ok = y.size(a) == padded.size(a);
  REVGAN_CHECK(ok, "inference: the network turned {} into {}, expected a CPU float32 batch of the same size",
               padded.describe(), y.defined() ? y.describe() : std::string("an undefined tensor"));
  return crop_to(y, extent);
}

}  // namespace revgan::infer
