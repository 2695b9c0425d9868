// Synthetic street scenes from a seed: a semantic label map and a matching "photo", drawn from
// one perspective layout (horizon, vanishing point, road, sidewalks, facades, cars, people,
// poles, trees). The same seed and size always give the same scene.
#pragma once

#include <cstdint>
#include <vector>

#include "data/image.hpp"
#include "data/procedural/palette.hpp"

namespace revgan::data::procedural {

struct Scene {
  Image label;                   // 8-bit RGB in the palette colours
  Image photo;                   // 8-bit RGB rendering of the same layout
  std::vector<uint8_t> classes;  // row-major SceneClass values
  int64_t width = 0;
  int64_t height = 0;
};

// width and height in [64, 256].
Scene generate_scene(uint64_t seed, int64_t width, int64_t height);

}  // namespace revgan::data::procedural
