// Grid assembly on the host; visuals may live on any device and in either float dtype.
#include "tools/report/sample_grid.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "engine/core/check.hpp"

namespace revgan::report {

data::Image visual_to_image(const Tensor& t, int64_t element) {
  REVGAN_CHECK(t.defined() && (t.dim() == 4 || t.dim() == 5), "sample grid: a visual must be [N, C, (D,) H, W], got {}",
               t.defined() ? t.describe() : std::string("an undefined tensor"));
  REVGAN_CHECK(element >= 0 && element < t.size(0), "sample grid: element {} of a batch of {}", element, t.size(0));
  const int64_t c = t.size(1), h = t.size(-2), w = t.size(-1);
  const int64_t d = t.dim() == 5 ? t.size(2) : 1;
  const int64_t slice = d / 2;  // the middle slice of a volume
  const std::vector<double> v = t.to_vector();
  data::Image img = data::Image::blank(w, h, 3);
  const int64_t shown = c == 3 ? 3 : 1;
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t k = 0; k < 3; ++k) {
        const int64_t ch = shown == 3 ? k : 0;
        const double value = v[static_cast<std::size_t>((((element * c + ch) * d + slice) * h + y) * w + x)];
        const double clamped = std::clamp(std::isfinite(value) ? value : -1.0, -1.0, 1.0);
        img.at(y, x, k) = static_cast<float>(std::round((clamped + 1.0) * 127.5));
      }
  return img;
}

SampleGrid make_sample_grid(const NamedImages& visuals, int64_t max_samples, int64_t gap) {
  REVGAN_CHECK(!visuals.empty(), "sample grid: no visuals");
  const std::vector<std::vector<std::string>> preferred = {{"real_A", "fake_B", "rec_A", "idt_B"},
                                                           {"real_B", "fake_A", "rec_B", "idt_A"}};
  auto find = [&](const std::string& name) -> const Tensor* {
    for (const auto& [n, t] : visuals)
      if (n == name && t.defined()) return &t;
    return nullptr;
  };
  std::vector<std::vector<std::string>> layout;
  std::set<std::string> placed;
  for (const auto& row : preferred) {
    std::vector<std::string> present;
    for (const auto& name : row)
      if (find(name)) present.push_back(name);
    if (!present.empty()) layout.push_back(present);
    placed.insert(present.begin(), present.end());
  }
  std::vector<std::string> others;
  for (const auto& [n, t] : visuals)
    if (t.defined() && !placed.count(n)) others.push_back(n);
  if (!others.empty()) layout.push_back(others);
  REVGAN_CHECK(!layout.empty(), "sample grid: every visual is undefined");

  int64_t samples = max_samples;
  for (const auto& row : layout)
    for (const auto& name : row) samples = std::min(samples, find(name)->size(0));
  samples = std::max<int64_t>(samples, 1);

  SampleGrid grid;
  std::vector<std::vector<data::Image>> cells;
  int64_t cell_w = 0, cell_h = 0, columns = 0;
  for (int64_t s = 0; s < samples; ++s)
    for (const auto& row : layout) {
      std::vector<data::Image> images;
      for (const auto& name : row) {
        images.push_back(visual_to_image(*find(name), s));
        cell_w = std::max(cell_w, images.back().width);
        cell_h = std::max(cell_h, images.back().height);
      }
      columns = std::max<int64_t>(columns, static_cast<int64_t>(images.size()));
      cells.push_back(std::move(images));
      grid.rows.push_back(row);
    }
  const int64_t rows = static_cast<int64_t>(cells.size());
  grid.image = data::Image::blank(columns * cell_w + (columns + 1) * gap, rows * cell_h + (rows + 1) * gap, 3, 8, 255.0f);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t col = 0; col < static_cast<int64_t>(cells[static_cast<std::size_t>(r)].size()); ++col) {
      const data::Image& cell = cells[static_cast<std::size_t>(r)][static_cast<std::size_t>(col)];
      const int64_t ox = gap + col * (cell_w + gap) + (cell_w - cell.width) / 2;
      const int64_t oy = gap + r * (cell_h + gap) + (cell_h - cell.height) / 2;
      for (int64_t y = 0; y < cell.height; ++y)
        for (int64_t x = 0; x < cell.width; ++x)
          for (int64_t k = 0; k < 3; ++k) grid.image.at(oy + y, ox + x, k) = cell.at(y, x, k);
    }
  return grid;
}

}  // namespace revgan::report
