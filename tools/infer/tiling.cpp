// Padding, tile planning and feathered blending on CPU float32 tensors. Images are handled as
// volumes of depth 1 whose depth axis is never padded or tiled.
#include "tools/infer/tiling.hpp"

#include <algorithm>
#include <cstring>

#include "engine/core/check.hpp"

namespace revgan::infer {

namespace {

using Axes = std::array<int64_t, 3>;  // (D, H, W); D = 1 for images

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// Index into [0, n) of position i under repeated mirror reflection (edge values not doubled).
int64_t mirror_index(int64_t i, int64_t n) {
  if (n == 1) return 0;
  const int64_t period = 2 * (n - 1);
  const int64_t m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

struct Layout {
  int64_t n = 0, c = 0;
  Axes s{1, 1, 1};
  int spatial = 2;
  int64_t voxels() const { return s[0] * s[1] * s[2]; }
  int first_axis() const { return 3 - spatial; }  // images skip the depth axis
};

Layout layout_of(const Tensor& x, const char* what) {
  REVGAN_CHECK(x.defined() && (x.dim() == 4 || x.dim() == 5) && x.dtype() == DType::float32 && x.device().is_cpu(),
               "{}: expected a CPU float32 [N, C, (D,) H, W] tensor, got {}", what,
               x.defined() ? x.describe() : std::string("an undefined tensor"));
  Layout l;
  l.n = x.size(0);
  l.c = x.size(1);
  l.spatial = x.dim() - 2;
  for (int a = 0; a < l.spatial; ++a) l.s[static_cast<std::size_t>(3 - l.spatial + a)] = x.size(2 + a);
  REVGAN_CHECK(l.voxels() > 0, "{}: empty input {}", what, x.describe());
  return l;
}

Tensor make_tensor(int64_t n, int64_t c, const Axes& s, int spatial) {
  return spatial == 3 ? Tensor::empty(Shape({n, c, s[0], s[1], s[2]})) : Tensor::empty(Shape({n, c, s[1], s[2]}));
}

// Per-spatial-axis values (2 or 3 of them) as (D, H, W) with `fill` for an image's depth.
Axes to_axes(const std::vector<int64_t>& v, const Layout& l, int64_t fill, const char* what) {
  REVGAN_CHECK(static_cast<int>(v.size()) == l.spatial, "{}: {} values for {} spatial axes", what, v.size(), l.spatial);
  Axes a{fill, fill, fill};
  for (int i = 0; i < l.spatial; ++i) a[static_cast<std::size_t>(l.first_axis() + i)] = v[static_cast<std::size_t>(i)];
  return a;
}

// The weights of a tile along one side: ramps only where the tile meets another tile.
std::vector<double> side_weights(int64_t start, int64_t length, int64_t extent, int64_t overlap) {
  std::vector<double> w(static_cast<std::size_t>(length), 1.0);
  for (int64_t i = 0; i < length; ++i) {
    double v = 1.0;
    if (start > 0) v = std::min(v, feather_weight(i, overlap));
    if (start + length < extent) v = std::min(v, feather_weight(length - 1 - i, overlap));
    w[static_cast<std::size_t>(i)] = v;
  }
  return w;
}

Tensor crop_axes(const Tensor& t, const Axes& origin, const Axes& size) {
  const Layout l = layout_of(t, "crop");
  for (std::size_t a = 0; a < 3; ++a)
    REVGAN_CHECK(origin[a] >= 0 && size[a] > 0 && origin[a] + size[a] <= l.s[a],
                 "crop: [{}, {}) outside a side of {}", origin[a], origin[a] + size[a], l.s[a]);
  Tensor out = make_tensor(l.n, l.c, size, l.spatial);
  float* dst = out.data<float>();
  const float* src = t.data<float>();
  for (int64_t p = 0; p < l.n * l.c; ++p)
    for (int64_t z = 0; z < size[0]; ++z)
      for (int64_t y = 0; y < size[1]; ++y) {
        const float* row = src + ((p * l.s[0] + origin[0] + z) * l.s[1] + origin[1] + y) * l.s[2] + origin[2];
        std::memcpy(dst, row, static_cast<std::size_t>(size[2]) * sizeof(float));
        dst += size[2];
      }
  return out;
}

Tensor pad_axes(const Tensor& x, const Axes& before, const Axes& after) {
  const Layout l = layout_of(x, "mirror_pad");
  Axes so{};
  std::array<std::vector<int64_t>, 3> map;
  for (std::size_t a = 0; a < 3; ++a) {
    REVGAN_CHECK(before[a] >= 0 && after[a] >= 0, "mirror_pad: negative padding");
    so[a] = l.s[a] + before[a] + after[a];
    for (int64_t i = 0; i < so[a]; ++i) map[a].push_back(mirror_index(i - before[a], l.s[a]));
  }
  Tensor out = make_tensor(l.n, l.c, so, l.spatial);
  float* dst = out.data<float>();
  const float* src = x.data<float>();
  for (int64_t p = 0; p < l.n * l.c; ++p)
    for (int64_t z = 0; z < so[0]; ++z)
      for (int64_t y = 0; y < so[1]; ++y) {
        const float* row = src + ((p * l.s[0] + map[0][static_cast<std::size_t>(z)]) * l.s[1] +
                                  map[1][static_cast<std::size_t>(y)]) * l.s[2];
        for (int64_t i = 0; i < so[2]; ++i) *dst++ = row[map[2][static_cast<std::size_t>(i)]];
      }
  return out;
}

// Stacks equally sized single inputs along N.
Tensor stack(const std::vector<Tensor>& parts) {
  const Layout l = layout_of(parts.front(), "stack");
  Tensor out = make_tensor(static_cast<int64_t>(parts.size()), l.c, l.s, l.spatial);
  const std::size_t n = static_cast<std::size_t>(parts.front().numel());
  for (std::size_t i = 0; i < parts.size(); ++i)
    std::memcpy(out.data<float>() + i * n, parts[i].data<float>(), n * sizeof(float));
  return out;
}

Tensor checked_call(const ImageFn& fn, const Tensor& x) {
  Tensor y = fn(x);
  bool ok = y.defined() && y.dim() == x.dim() && y.size(0) == x.size(0) && y.dtype() == DType::float32 &&
            y.device().is_cpu();
  for (int a = 2; ok && a < x.dim(); ++a) ok = y.size(a) == x.size(a);
  REVGAN_CHECK(ok, "inference: the network turned {} into {}, expected a CPU float32 batch of the same size",
               x.describe(), y.defined() ? y.describe() : std::string("an undefined tensor"));
  return y;
}

Axes padded_axes(const Layout& l, const TileOptions& o) {
  Axes p = l.s;
  for (int a = l.first_axis(); a < 3; ++a) p[static_cast<std::size_t>(a)] = padded_extent(l.s[static_cast<std::size_t>(a)], o);
  return p;
}

}  // namespace

Tensor mirror_pad(const Tensor& x, const std::vector<int64_t>& before, const std::vector<int64_t>& after) {
  const Layout l = layout_of(x, "mirror_pad");
  return pad_axes(x, to_axes(before, l, 0, "mirror_pad"), to_axes(after, l, 0, "mirror_pad"));
}

Tensor mirror_pad(const Tensor& x, int64_t top, int64_t bottom, int64_t left, int64_t right) {
  return mirror_pad(x, std::vector<int64_t>{top, left}, std::vector<int64_t>{bottom, right});
}

Tensor crop(const Tensor& t, const std::vector<int64_t>& origin, const std::vector<int64_t>& size) {
  const Layout l = layout_of(t, "crop");
  return crop_axes(t, to_axes(origin, l, 0, "crop"), to_axes(size, l, 1, "crop"));
}

Tensor crop(const Tensor& t, int64_t y, int64_t x, int64_t h, int64_t w) {
  return crop(t, std::vector<int64_t>{y, x}, std::vector<int64_t>{h, w});
}

int64_t padded_extent(int64_t extent, const TileOptions& o) {
  return std::max(round_up(extent, o.multiple), round_up(o.min_size, o.multiple));
}

std::vector<int64_t> tile_starts(int64_t extent, int64_t tile, int64_t overlap, int64_t align) {
  REVGAN_CHECK(tile > 0 && overlap >= 0 && overlap < tile && align > 0, "tile_starts: tile {}, overlap {}, align {}",
               tile, overlap, align);
  if (extent <= tile) return {0};
  REVGAN_CHECK((extent - tile) % align == 0, "tile_starts: extent {} - tile {} is not a multiple of {}", extent, tile,
               align);
  for (int64_t n = 2;; ++n) {
    std::vector<int64_t> starts;
    for (int64_t i = 0; i < n; ++i) starts.push_back((i * (extent - tile) / (n - 1)) / align * align);
    bool ok = true;
    for (std::size_t i = 1; i < starts.size(); ++i) ok = ok && starts[i] - starts[i - 1] <= tile - overlap;
    if (ok) return starts;
  }
}

double feather_weight(int64_t i, int64_t overlap) {
  const int64_t margin = overlap / 4;
  const double ramp = static_cast<double>(std::max<int64_t>(overlap - 2 * margin, 1));
  return std::clamp((static_cast<double>(i - margin) + 0.5) / ramp, 0.0, 1.0);
}

Tensor run_whole(const Tensor& x, const ImageFn& fn, const TileOptions& o) {
  const Layout l = layout_of(x, "run_whole");
  const Axes p = padded_axes(l, o);
  if (p == l.s) return checked_call(fn, x);
  const Axes zero{0, 0, 0};
  const Axes after{p[0] - l.s[0], p[1] - l.s[1], p[2] - l.s[2]};
  return crop_axes(checked_call(fn, pad_axes(x, zero, after)), zero, l.s);
}

Tensor run_tiled(const Tensor& x, const ImageFn& fn, const TileOptions& o) {
  const Layout l = layout_of(x, "run_tiled");
  REVGAN_CHECK(l.n == 1, "run_tiled: one input at a time, got a batch of {}", l.n);
  REVGAN_CHECK(o.tile % o.multiple == 0 && o.tile >= o.min_size,
               "tiles must be a multiple of {} and at least {} wide, got {}", o.multiple, o.min_size, o.tile);
  const Axes p = padded_axes(l, o);
  if (std::all_of(p.begin(), p.end(), [&](int64_t e) { return e <= o.tile; })) return run_whole(x, fn, o);

  const int64_t overlap = o.overlap > 0 ? o.overlap : o.tile / 4;
  REVGAN_CHECK(overlap < o.tile, "the tile overlap ({}) must be smaller than the tile ({})", overlap, o.tile);
  const Axes zero{0, 0, 0};
  const Tensor padded = pad_axes(x, zero, Axes{p[0] - l.s[0], p[1] - l.s[1], p[2] - l.s[2]});
  Axes t{};
  std::array<std::vector<int64_t>, 3> starts;
  for (std::size_t a = 0; a < 3; ++a) {
    const bool active = static_cast<int>(a) >= l.first_axis();
    t[a] = active ? std::min(o.tile, p[a]) : p[a];
    starts[a] = active ? tile_starts(p[a], t[a], overlap, o.multiple) : std::vector<int64_t>{0};
  }
  std::vector<Axes> tiles;
  for (const int64_t z : starts[0])
    for (const int64_t y : starts[1])
      for (const int64_t xx : starts[2]) tiles.push_back({z, y, xx});

  const std::size_t plane = static_cast<std::size_t>(p[0] * p[1] * p[2]);
  const std::size_t tile_voxels = static_cast<std::size_t>(t[0] * t[1] * t[2]);
  std::vector<double> weight_sum(plane, 0.0), acc;
  int64_t out_c = 0;
  const std::size_t batch = static_cast<std::size_t>(std::max<int64_t>(o.batch, 1));
  for (std::size_t first = 0; first < tiles.size(); first += batch) {
    const std::size_t last = std::min(tiles.size(), first + batch);
    std::vector<Tensor> inputs;
    for (std::size_t i = first; i < last; ++i) inputs.push_back(crop_axes(padded, tiles[i], t));
    const Tensor y = checked_call(fn, stack(inputs));
    if (acc.empty()) {
      out_c = y.size(1);
      acc.assign(static_cast<std::size_t>(out_c) * plane, 0.0);
    }
    for (std::size_t i = first; i < last; ++i) {
      std::array<std::vector<double>, 3> w;
      for (std::size_t a = 0; a < 3; ++a) w[a] = side_weights(tiles[i][a], t[a], p[a], overlap);
      const float* src = y.data<float>() + (i - first) * static_cast<std::size_t>(out_c) * tile_voxels;
      for (int64_t z = 0; z < t[0]; ++z)
        for (int64_t yy = 0; yy < t[1]; ++yy)
          for (int64_t xx = 0; xx < t[2]; ++xx) {
            const double wgt = w[0][static_cast<std::size_t>(z)] * w[1][static_cast<std::size_t>(yy)] *
                               w[2][static_cast<std::size_t>(xx)];
            if (wgt == 0.0) continue;
            const std::size_t at =
                static_cast<std::size_t>(((tiles[i][0] + z) * p[1] + tiles[i][1] + yy) * p[2] + tiles[i][2] + xx);
            const std::size_t local = static_cast<std::size_t>((z * t[1] + yy) * t[2] + xx);
            weight_sum[at] += wgt;
            for (int64_t c = 0; c < out_c; ++c)
              acc[static_cast<std::size_t>(c) * plane + at] += wgt * src[static_cast<std::size_t>(c) * tile_voxels + local];
          }
    }
  }
  Tensor out = make_tensor(1, out_c, l.s, l.spatial);
  float* dst = out.data<float>();
  for (int64_t c = 0; c < out_c; ++c)
    for (int64_t z = 0; z < l.s[0]; ++z)
      for (int64_t yy = 0; yy < l.s[1]; ++yy)
        for (int64_t xx = 0; xx < l.s[2]; ++xx) {
          const std::size_t at = static_cast<std::size_t>((z * p[1] + yy) * p[2] + xx);
          REVGAN_CHECK(weight_sum[at] > 0, "run_tiled: voxel ({}, {}, {}) is covered by no tile", z, yy, xx);
          *dst++ = static_cast<float>(acc[static_cast<std::size_t>(c) * plane + at] / weight_sum[at]);
        }
  return out;
}

}  // namespace revgan::infer
