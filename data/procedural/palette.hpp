// The label palette of the procedural street scenes: ten Cityscapes classes with their
// Cityscapes colours, and the mapping between label images and class indices.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "data/image.hpp"

namespace revgan::data::procedural {

// Index order is fixed: class maps store these values.
enum class SceneClass : uint8_t {
  road = 0,          // (128,  64, 128)
  sidewalk = 1,      // (244,  35, 232)
  building = 2,      // ( 70,  70,  70)
  pole = 3,          // (153, 153, 153)
  traffic_sign = 4,  // (220, 220,   0)
  vegetation = 5,    // (107, 142,  35)
  terrain = 6,       // (152, 251, 152)
  sky = 7,           // ( 70, 130, 180)
  person = 8,        // (220,  20,  60)
  car = 9,           // (  0,   0, 142)
};
constexpr int scene_class_count = 10;

struct PaletteEntry {
  std::string_view name;
  std::array<uint8_t, 3> rgb;
};

// Indexed by SceneClass.
std::span<const PaletteEntry> scene_palette();

// Class map (row-major, one byte per pixel) -> 8-bit RGB label image.
Image classes_to_label_image(const std::vector<uint8_t>& classes, int64_t width, int64_t height);
// Nearest palette colour per pixel (exact for lossless labels, robust to mild compression).
std::vector<uint8_t> label_image_to_classes(const Image& label);

}  // namespace revgan::data::procedural
