// Whole-image (or whole-volume) inference at any size: mirror padding to the network's size
// multiple, and overlapping tiles blended with feathered (linearly ramped) weights when the
// input is larger than a tile. Images are [N, C, H, W], volumes [N, C, D, H, W].
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::infer {

// A network on a CPU float32 batch -> CPU float32 batch of the same spatial size.
using ImageFn = std::function<Tensor(const Tensor&)>;

struct TileOptions {
  int64_t tile = 512;     // inputs with a side above this are cut into pieces of this side
  int64_t overlap = 0;    // minimum overlap of neighbouring tiles; 0: tile / 4
  int64_t multiple = 4;   // the network needs every spatial side divisible by this
  int64_t min_size = 8;   // ... and at least this large (reflection pads inside the network)
  int64_t batch = 1;      // tiles per network call
};

// Mirror padding of a CPU float32 [N, C, H, W] or [N, C, D, H, W] tensor, defined for any pad
// size (the reflection repeats when a pad exceeds the input). before / after: per spatial axis.
Tensor mirror_pad(const Tensor& x, const std::vector<int64_t>& before, const std::vector<int64_t>& after);
Tensor mirror_pad(const Tensor& x, int64_t top, int64_t bottom, int64_t left, int64_t right);
// The box [origin, origin + size) of the spatial axes.
Tensor crop(const Tensor& t, const std::vector<int64_t>& origin, const std::vector<int64_t>& size);
Tensor crop(const Tensor& t, int64_t y, int64_t x, int64_t h, int64_t w);

// The padded extent the network gets for a side of `extent`.
int64_t padded_extent(int64_t extent, const TileOptions& options);
// Start offsets of the tiles along one side: evenly spread (multiples of `align`, so every tile
// sees the stride-2 stages in the same phase as the whole input), first at 0, last ending at
// `extent`, neighbours overlapping by at least `overlap`. One tile when extent <= tile.
std::vector<int64_t> tile_starts(int64_t extent, int64_t tile, int64_t overlap, int64_t align = 1);
// Blend weight along one side of a tile at distance `i` from an edge shared with another tile:
// 0 within a margin of overlap / 4 (where the tile's own border effects live), then a linear
// ramp to 1 at overlap - margin.
double feather_weight(int64_t i, int64_t overlap);

// Pads every spatial side to padded_extent, runs `fn` once on the whole batch, crops back.
Tensor run_whole(const Tensor& x, const ImageFn& fn, const TileOptions& options);
// run_whole when every side fits in a tile; otherwise the padded input is cut into overlapping
// tiles (run `options.batch` at a time), blended and cropped back. x holds one input (N = 1).
Tensor run_tiled(const Tensor& x, const ImageFn& fn, const TileOptions& options);

}  // namespace revgan::infer
