// Middle-slice strips of volumes as 8-bit grey PNG images.
#include "tools/eval/volume_slices.hpp"

#include <algorithm>
#include <cmath>

#include "data/volume/intensity.hpp"
#include "engine/core/check.hpp"

namespace revgan::eval {

data::Image slice_strip(const std::vector<SlicePanel>& panels, const data::Volume& reference, int axis, int64_t gap) {
  REVGAN_CHECK(!panels.empty(), "slice_strip: no volumes");
  REVGAN_CHECK(axis >= 0 && axis < 3, "slice_strip: axis must be 0 (D), 1 (H) or 2 (W), got {}", axis);
  const data::Axes3 size = panels.front().volume->size();
  for (const SlicePanel& p : panels)
    REVGAN_CHECK(p.volume->size() == size, "slice_strip: '{}' is {}x{}x{}, the first volume {}x{}x{}", p.name,
                 p.volume->depth, p.volume->height, p.volume->width, size[0], size[1], size[2]);
  const auto a = static_cast<std::size_t>(axis);
  const int64_t middle = size[a] / 2;
  // Rows and columns of the slice: across D the rows are H, else D; the columns are W, or H
  // across W.
  const std::size_t row_axis = axis == 0 ? 1 : 0, col_axis = axis == 2 ? 1 : 2;
  const int64_t rows = size[row_axis], cols = size[col_axis];
  const int64_t n = static_cast<int64_t>(panels.size());
  data::Image image = data::Image::blank(n * cols + (n - 1) * gap, rows, 1, 8, 255.0f);
  const int64_t channel_voxels = reference.depth * reference.height * reference.width;
  const std::span<const float> values(reference.data.data(), static_cast<std::size_t>(channel_voxels));
  const double low = data::percentile(values, 0.5), high = std::max(data::percentile(values, 99.5), low + 1e-12);
  for (int64_t p = 0; p < n; ++p) {
    const data::Volume& v = *panels[static_cast<std::size_t>(p)].volume;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        data::Axes3 at{};
        at[a] = middle;
        at[row_axis] = rows - 1 - r;  // upwards
        at[col_axis] = c;
        const double grey = 255.0 * (v.at(0, at[0], at[1], at[2]) - low) / (high - low);
        image.at(r, p * (cols + gap) + c, 0) = static_cast<float>(std::round(std::clamp(grey, 0.0, 255.0)));
      }
  }
  return image;
}

std::vector<std::filesystem::path> write_slice_strips(const std::vector<SlicePanel>& panels,
                                                      const data::Volume& reference,
                                                      const std::filesystem::path& dir, const std::string& stem) {
  std::filesystem::create_directories(dir);
  std::vector<std::filesystem::path> paths;
  const char* names[] = {"D", "H", "W"};
  for (int axis = 0; axis < 3; ++axis) {
    paths.push_back(dir / (stem + "_" + names[axis] + ".png"));
    data::write_png(slice_strip(panels, reference, axis), paths.back());
  }
  return paths;
}

}  // namespace revgan::eval
