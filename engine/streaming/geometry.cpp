// Output extents and input boxes per layer kind, axis by axis.
#include "engine/streaming/geometry.hpp"

#include <algorithm>

#include "engine/core/check.hpp"

namespace revgan::streaming {

namespace {

int64_t floor_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}
int64_t ceil_div(int64_t a, int64_t b) {
  return -floor_div(-a, b);
}

const char* kind_name(LayerKind kind) {
  switch (kind) {
    case LayerKind::reflection_pad:
      return "reflection pad";
    case LayerKind::conv:
      return "conv";
    case LayerKind::conv_transpose:
      return "transposed conv";
    default:
      return "pointwise layer";
  }
}

// Axes a layer acts on: H and W for images, all three for volumes.
bool active(int axis, int dims) {
  return axis >= 3 - dims;
}

}  // namespace

Box whole_box(const Axes& extent) {
  return Box{{0, 0, 0}, extent};
}

int64_t volume(const Axes& e) {
  return e[0] * e[1] * e[2];
}

int64_t mirror_index(int64_t i, int64_t n) {
  if (n == 1) return 0;
  const int64_t period = 2 * (n - 1);
  const int64_t m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

Axes output_extent(const Layer& l, const Axes& in, int dims) {
  Axes out = in;
  for (int a = 3 - dims; a < 3; ++a) {
    const int64_t n = in[static_cast<std::size_t>(a)];
    int64_t& o = out[static_cast<std::size_t>(a)];
    switch (l.kind) {
      case LayerKind::reflection_pad:
        o = n + l.pad_before[static_cast<std::size_t>(a)] + l.pad_after[static_cast<std::size_t>(a)];
        break;
      case LayerKind::conv:
        REVGAN_CHECK(n + 2 * l.padding >= l.kernel, "streamed {}: a side of {} is smaller than the kernel {}",
                     kind_name(l.kind), n, l.kernel);
        o = (n + 2 * l.padding - l.kernel) / l.stride + 1;
        break;
      case LayerKind::conv_transpose:
        o = (n - 1) * l.stride - 2 * l.padding + l.kernel + l.output_padding;
        REVGAN_CHECK(o > 0, "streamed {}: a side of {} gives an empty output", kind_name(l.kind), n);
        break;
      default:
        break;
    }
  }
  return out;
}

Box input_box(const Layer& l, const Box& out, const Axes& in, int dims) {
  Box b = out;
  if (is_pointwise(l.kind)) return b;
  for (int a = 0; a < 3; ++a) {
    const std::size_t i = static_cast<std::size_t>(a);
    if (!active(a, dims)) continue;
    const int64_t n = in[i], lo = out.lo[i], hi = out.hi[i];
    int64_t first = 0, last = 0;  // [first, last)
    if (l.kind == LayerKind::reflection_pad) {
      first = n;
      for (int64_t u = lo; u < hi; ++u) {
        const int64_t m = mirror_index(u - l.pad_before[i], n);
        first = std::min(first, m);
        last = std::max(last, m + 1);
      }
    } else if (l.kind == LayerKind::conv) {
      first = std::max<int64_t>(0, lo * l.stride - l.padding);
      last = std::min(n, (hi - 1) * l.stride - l.padding + l.kernel);
    } else {
      first = std::max<int64_t>(0, ceil_div(lo + l.padding - l.kernel + 1, l.stride));
      last = std::min(n, floor_div(hi - 1 + l.padding, l.stride) + 1);
    }
    REVGAN_CHECK(first < last, "streamed {}: output [{}, {}) reads no input of a side of {}", kind_name(l.kind), lo, hi,
                 n);
    b.lo[i] = first;
    b.hi[i] = last;
  }
  return b;
}

std::vector<Box> tile_boxes(const Axes& extent, const Axes& tile) {
  std::array<std::vector<int64_t>, 3> starts;
  for (std::size_t a = 0; a < 3; ++a) {
    REVGAN_CHECK(extent[a] > 0 && tile[a] > 0, "tile_boxes: extent {} in tiles of {}", extent[a], tile[a]);
    for (int64_t s = 0; s < extent[a]; s += tile[a]) starts[a].push_back(s);
  }
  std::vector<Box> boxes;
  for (const int64_t z : starts[0])
    for (const int64_t y : starts[1])
      for (const int64_t x : starts[2])
        boxes.push_back(Box{
            {z, y, x},
            {std::min(z + tile[0], extent[0]), std::min(y + tile[1], extent[1]), std::min(x + tile[2], extent[2])}});
  return boxes;
}

}  // namespace revgan::streaming
