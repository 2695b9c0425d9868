// The preprocessing of one image (resize / scale_width, crop, flip, channel conversion,
// normalisation to [-1, 1]), with the random choices drawn separately so that the two halves of
// an aligned pair can share them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "data/dataset.hpp"
#include "data/image.hpp"

namespace revgan::data {

struct CropFlip {
  int64_t x = 0;
  int64_t y = 0;
  bool flip = false;
};

// Rejects options no image could satisfy (channel counts, sizes, load_size < crop_size).
void validate_options(const DatasetOptions& options);
// Size after the resize step of options.preprocess for a width x height input.
std::pair<int64_t, int64_t> resized_size(const DatasetOptions& options, int64_t width, int64_t height);
// Size of the tensor the whole pipeline makes of a width x height input (crop or resize).
std::pair<int64_t, int64_t> preprocessed_size(const DatasetOptions& options, int64_t width, int64_t height);
// Fails, naming `path`, when the crop does not fit the (resized) image.
void check_crop_fits(const DatasetOptions& options, int64_t width, int64_t height, const std::string& path);
// Always draws three values (x, y, flip) so the generator's stream does not depend on the mode.
CropFlip draw_crop_flip(const DatasetOptions& options, int64_t width, int64_t height, Generator& gen);
// The whole pipeline for one image; the result is [channels, H, W] float32.
Tensor preprocess_image(const Image& image, int64_t channels, const DatasetOptions& options, const CropFlip& params,
                        const std::string& path);

}  // namespace revgan::data
