// Palette table and the conversions between class maps and label images.
#include "data/procedural/palette.hpp"

#include <limits>

#include "engine/core/check.hpp"

namespace revgan::data::procedural {

namespace {
constexpr std::array<PaletteEntry, scene_class_count> palette{{
    {"road", {128, 64, 128}},
    {"sidewalk", {244, 35, 232}},
    {"building", {70, 70, 70}},
    {"pole", {153, 153, 153}},
    {"traffic_sign", {220, 220, 0}},
    {"vegetation", {107, 142, 35}},
    {"terrain", {152, 251, 152}},
    {"sky", {70, 130, 180}},
    {"person", {220, 20, 60}},
    {"car", {0, 0, 142}},
}};
}  // namespace

std::span<const PaletteEntry> scene_palette() { return palette; }

Image classes_to_label_image(const std::vector<uint8_t>& classes, int64_t width, int64_t height) {
  REVGAN_CHECK(static_cast<int64_t>(classes.size()) == width * height,
               "classes_to_label_image: {} classes for a {}x{} image", classes.size(), width, height);
  Image img = Image::blank(width, height, 3);
  for (std::size_t p = 0; p < classes.size(); ++p) {
    REVGAN_CHECK(classes[p] < scene_class_count, "classes_to_label_image: class {} at pixel {} is not in the palette",
                 classes[p], p);
    for (std::size_t c = 0; c < 3; ++c) img.samples[p * 3 + c] = palette[classes[p]].rgb[c];
  }
  return img;
}

std::vector<uint8_t> label_image_to_classes(const Image& label) {
  REVGAN_CHECK(label.channels == 3, "label_image_to_classes: label images are RGB, got {} channels", label.channels);
  const float to_8bit = 255.0f / label.max_value();
  std::vector<uint8_t> classes(static_cast<std::size_t>(label.width * label.height));
  for (std::size_t p = 0; p < classes.size(); ++p) {
    const float* px = label.samples.data() + p * 3;
    float best = std::numeric_limits<float>::max();
    for (int k = 0; k < scene_class_count; ++k) {
      float d = 0;
      for (std::size_t c = 0; c < 3; ++c) {
        const float diff = px[c] * to_8bit - palette[static_cast<std::size_t>(k)].rgb[c];
        d += diff * diff;
      }
      if (d < best) {
        best = d;
        classes[p] = static_cast<uint8_t>(k);
      }
    }
  }
  return classes;
}

}  // namespace revgan::data::procedural
