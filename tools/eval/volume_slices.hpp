// Sample slices of 3D super-resolution results as PNG: the middle slice across each axis of
// every method (e.g. nearest | trilinear | cubic | model | truth) side by side, all on one grey
// window (the reference's 0.5 / 99.5 percentiles), so that blur, haze and drift are visible.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "data/image.hpp"
#include "data/volume/volume.hpp"

namespace revgan::eval {

struct SlicePanel {
  std::string name;             // the method, for captions
  const data::Volume* volume;   // channel 0 is shown
};

// The middle slice across `axis` (0: D, 1: H, 2: W) of each panel, left to right with `gap`
// white pixels between them; every volume must have the size of the first. D runs upwards in
// the H and W slices and H upwards in the D slice. Grey levels: [low, high] of `reference`'s
// 0.5 / 99.5 percentiles maps to [0, 255], clamped.
data::Image slice_strip(const std::vector<SlicePanel>& panels, const data::Volume& reference, int axis,
                        int64_t gap = 2);

// Writes DIR/<stem>_D.png, <stem>_H.png and <stem>_W.png (slice_strip across each axis) and
// returns their paths.
std::vector<std::filesystem::path> write_slice_strips(const std::vector<SlicePanel>& panels,
                                                      const data::Volume& reference,
                                                      const std::filesystem::path& dir, const std::string& stem);

}  // namespace revgan::eval
