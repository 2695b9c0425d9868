// Boxes of a layer's output and the input each one needs: what lets a layer be evaluated on
// any part of its output exactly. For images the D axis has extent 1 and every layer leaves it
// alone.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/streaming/program.hpp"

namespace revgan::streaming {

// The half-open box [lo, hi) per axis.
struct Box {
  Axes lo{0, 0, 0}, hi{1, 1, 1};
  Axes size() const { return {hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}; }
  int64_t volume() const { return (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]); }
  bool operator==(const Box&) const = default;
};

Box whole_box(const Axes& extent);
int64_t volume(const Axes& extent);

// Index into [0, n) of position i mirrored at both ends, repeatedly (edges not doubled).
int64_t mirror_index(int64_t i, int64_t n);

// The output extent of `layer` on an input of extent `in`; fails, naming the layer, when the
// input is too small for it.
Axes output_extent(const Layer& layer, const Axes& in, int dims);
// Every input position that the outputs of `layer` in `out` depend on, as the smallest box
// holding them (inside [0, in)). Pointwise layers need the same box.
Box input_box(const Layer& layer, const Box& out, const Axes& in, int dims);

// Boxes of at most `tile` per axis covering `extent` in raster order (W fastest), the largest
// first.
std::vector<Box> tile_boxes(const Axes& extent, const Axes& tile);

}  // namespace revgan::streaming
