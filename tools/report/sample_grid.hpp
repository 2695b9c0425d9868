// Sample grids: a training step's visuals (real / fake / reconstructed per direction) tiled
// into one 8-bit RGB image, one row per direction and batch element.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "data/image.hpp"
#include "engine/tensor/tensor.hpp"

namespace revgan::report {

using NamedImages = std::vector<std::pair<std::string, Tensor>>;  // same as training::Visuals

struct SampleGrid {
  data::Image image;
  std::vector<std::vector<std::string>> rows;  // the visual shown in each cell, row by row
};

// One element of a [N, C, H, W] tensor in [-1, 1] (or the middle depth slice of [N, C, D, H, W])
// as 8-bit RGB: 1 channel is replicated, other counts than 1 and 3 show channel 0.
data::Image visual_to_image(const Tensor& t, int64_t element);

// Row "A": real_A fake_B rec_A idt_B, row "B": real_B fake_A rec_B idt_A (those present), any
// other visuals in a last row; repeated for the first `max_samples` batch elements. Cells are
// separated by `gap` white pixels; smaller cells are centred.
SampleGrid make_sample_grid(const NamedImages& visuals, int64_t max_samples = 4, int64_t gap = 2);

}  // namespace revgan::report
