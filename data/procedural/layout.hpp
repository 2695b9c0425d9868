// The geometry shared by the label drawing and the photo rendering (internal to procedural/).
#pragma once

#include <cstdint>
#include <vector>

#include "data/image.hpp"
#include "engine/tensor/random.hpp"

namespace revgan::data::procedural {

// What the renderer needs to know about one drawn object.
struct Instance {
  uint8_t cls = 0;
  float rgb[3] = {0, 0, 0};  // base colour in [0, 1]
  float top = 0, bottom = 0; // vertical extent in pixels (cars, persons)
  float depth = 1;           // perspective scale t of the object's ground line
};

// The ground plane maps row y >= horizon to depth t = (y - horizon) / (height - horizon): t = 1
// at the bottom row, 0 at the horizon; sizes scale with t.
struct Layout {
  int64_t width = 0, height = 0;
  double horizon = 0;      // row of the horizon
  double vanish_x = 0;     // column of the vanishing point
  double road_center = 0;  // road centre at the bottom row
  double road_half = 0;    // road half-width at the bottom row
  double outer_left = 0;   // outer sidewalk edges at the bottom row
  double outer_right = 0;
  double px_per_m = 0;     // pixels per metre at t = 1
  std::vector<uint8_t> classes;
  std::vector<uint16_t> instance;  // 0: no object, else index into instances
  std::vector<Instance> instances;

  double depth_of_row(double y) const { return (y - horizon) / (static_cast<double>(height) - horizon); }
  // Depth of a facade column on the left or right of the street (> 1 beyond the outer edge line).
  double facade_depth(double x) const;
};

Layout make_layout(Generator& gen, int64_t width, int64_t height);
Image render_photo(const Layout& layout, Generator& gen);

}  // namespace revgan::data::procedural
