// Box copies, row by row; planes (n, c) in parallel, each written by one thread.
#include "engine/streaming/box_copy.hpp"

#include <cstring>

#include "engine/core/check.hpp"

namespace revgan::streaming {

namespace {

struct Dense {
  int64_t planes = 0;  // N * C
  Axes extent{1, 1, 1};
  int dims = 2;
};

Dense dense_of(const Tensor& t, const char* what) {
  REVGAN_CHECK(t.defined() && (t.dim() == 4 || t.dim() == 5) && t.dtype() == DType::float32 && t.device().is_cpu(),
               "{}: expected a CPU float32 [N, C, (D,) H, W] tensor, got {}", what,
               t.defined() ? t.describe() : std::string("an undefined tensor"));
  Dense d;
  d.planes = t.size(0) * t.size(1);
  d.dims = t.dim() - 2;
  d.extent = spatial_extent(t);
  return d;
}

void check_inside(const Box& box, const Axes& extent, const char* what) {
  for (std::size_t a = 0; a < 3; ++a)
    REVGAN_CHECK(box.lo[a] >= 0 && box.lo[a] < box.hi[a] && box.hi[a] <= extent[a],
                 "{}: box [{}, {}) on axis {} outside an extent of {}", what, box.lo[a], box.hi[a], a, extent[a]);
}

int64_t offset(const Axes& extent, int64_t z, int64_t y, int64_t x) {
  return (z * extent[1] + y) * extent[2] + x;
}

using Maps = std::array<std::vector<int64_t>, 3>;  // output position -> source position, per axis

// out[p, z, y, x] = src[p, map0[z], map1[y], map2[x]]; rows copied whole when map2 is a run.
Tensor gather(const Tensor& src_tensor, const Dense& d, const Maps& map) {
  const Axes s{static_cast<int64_t>(map[0].size()), static_cast<int64_t>(map[1].size()),
               static_cast<int64_t>(map[2].size())};
  Tensor result = box_tensor(src_tensor.size(0), src_tensor.size(1), s, d.dims);
  bool run = true;
  for (std::size_t x = 1; x < map[2].size(); ++x) run = run && map[2][x] == map[2][x - 1] + 1;
  const float* src = src_tensor.data<float>();
  float* dst = result.data<float>();
  const int64_t plane_in = volume(d.extent), plane_out = volume(s);
#pragma omp parallel for schedule(static)
  for (int64_t p = 0; p < d.planes; ++p)
    for (int64_t z = 0; z < s[0]; ++z)
      for (int64_t y = 0; y < s[1]; ++y) {
        const float* row =
            src + p * plane_in +
            offset(d.extent, map[0][static_cast<std::size_t>(z)], map[1][static_cast<std::size_t>(y)], 0);
        float* to = dst + p * plane_out + (z * s[1] + y) * s[2];
        if (run) {
          std::memcpy(to, row + map[2][0], static_cast<std::size_t>(s[2]) * sizeof(float));
        } else {
          for (int64_t x = 0; x < s[2]; ++x) to[x] = row[map[2][static_cast<std::size_t>(x)]];
        }
      }
  return result;
}

}  // namespace

Axes spatial_extent(const Tensor& t) {
  REVGAN_CHECK(t.dim() == 4 || t.dim() == 5, "spatial_extent: expected [N, C, (D,) H, W], got {}", t.describe());
  return t.dim() == 5 ? Axes{t.size(2), t.size(3), t.size(4)} : Axes{1, t.size(2), t.size(3)};
}

Tensor box_tensor(int64_t n, int64_t c, const Axes& size, int dims) {
  return dims == 3 ? Tensor::empty(Shape({n, c, size[0], size[1], size[2]}))
                   : Tensor::empty(Shape({n, c, size[1], size[2]}));
}

Tensor crop_box(const Tensor& t, const Box& box) {
  const Dense d = dense_of(t, "crop_box");
  check_inside(box, d.extent, "crop_box");
  Maps map;
  for (std::size_t a = 0; a < 3; ++a)
    for (int64_t u = box.lo[a]; u < box.hi[a]; ++u) map[a].push_back(u);
  return gather(t, d, map);
}

void paste_box(Tensor dst_tensor, const Box& box, const Tensor& src_tensor, bool accumulate, float sign) {
  const Dense d = dense_of(dst_tensor, "paste_box");
  check_inside(box, d.extent, "paste_box");
  const Axes s = box.size();
  REVGAN_CHECK(spatial_extent(src_tensor) == s && src_tensor.size(0) * src_tensor.size(1) == d.planes,
               "paste_box: {} does not fit a box of {}x{}x{}", src_tensor.describe(), s[0], s[1], s[2]);
  const float* src = src_tensor.data<float>();
  float* dst = dst_tensor.data<float>();
  const int64_t plane_out = volume(d.extent), plane_in = box.volume();
#pragma omp parallel for schedule(static)
  for (int64_t p = 0; p < d.planes; ++p)
    for (int64_t z = 0; z < s[0]; ++z)
      for (int64_t y = 0; y < s[1]; ++y) {
        float* row = dst + p * plane_out + offset(d.extent, box.lo[0] + z, box.lo[1] + y, box.lo[2]);
        const float* from = src + p * plane_in + (z * s[1] + y) * s[2];
        if (!accumulate) {
          std::memcpy(row, from, static_cast<std::size_t>(s[2]) * sizeof(float));
        } else if (sign > 0) {
          for (int64_t x = 0; x < s[2]; ++x) row[x] = row[x] + from[x];
        } else {
          for (int64_t x = 0; x < s[2]; ++x) row[x] = row[x] - from[x];
        }
      }
}

Tensor mirror_box(const Tensor& src_tensor, const Box& src_box, const Box& out, const Axes& before, const Axes& n) {
  const Dense d = dense_of(src_tensor, "mirror_box");
  REVGAN_CHECK(d.extent == src_box.size(), "mirror_box: {} does not hold its box", src_tensor.describe());
  Maps map;
  for (std::size_t a = 0; a < 3; ++a)
    for (int64_t u = out.lo[a]; u < out.hi[a]; ++u) {
      const int64_t m = mirror_index(u - before[a], n[a]) - src_box.lo[a];
      REVGAN_CHECK(m >= 0 && m < d.extent[a], "mirror_box: position {} mirrors outside the box read", u);
      map[a].push_back(m);
    }
  return gather(src_tensor, d, map);
}

Tensor zero_extend(const Tensor& src, const Box& src_box, const Box& out) {
  const Dense d = dense_of(src, "zero_extend");
  REVGAN_CHECK(d.extent == src_box.size(), "zero_extend: {} does not hold its box", src.describe());
  Tensor result = box_tensor(src.size(0), src.size(1), out.size(), d.dims);
  std::memset(result.data<float>(), 0, result.nbytes());
  Box inner;
  for (std::size_t a = 0; a < 3; ++a) {
    REVGAN_CHECK(out.lo[a] <= src_box.lo[a] && src_box.hi[a] <= out.hi[a], "zero_extend: the box grows only");
    inner.lo[a] = src_box.lo[a] - out.lo[a];
    inner.hi[a] = src_box.hi[a] - out.lo[a];
  }
  paste_box(result, inner, src);
  return result;
}

}  // namespace revgan::streaming
