// How translation runs on an input of any size: mirror padding to the network's size multiple,
// then either the generator's ordinary forward on the whole input or exact tiled execution
// (engine/streaming) when the whole input does not fit the memory budget or tiles are asked
// for. Images are [N, C, H, W], volumes [N, C, D, H, W].
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::infer {

// A network on a CPU float32 batch -> CPU float32 batch of the same spatial size.
using ImageFn = std::function<Tensor(const Tensor&)>;

struct TileOptions {
  int64_t tile = 0;            // > 0: always run in exact tiles of this side; 0: whole when it fits
  int64_t default_tile = 512;  // the tile side when the whole input does not fit
  int64_t max_memory = 0;      // the memory budget in bytes; 0: default_memory_budget(device)
  int64_t multiple = 4;        // the network needs every spatial side divisible by this
  int64_t min_size = 8;        // ... and at least this large (reflection pads inside the network)
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
// Every spatial side padded at the end to padded_extent (the input itself when none needs it).
Tensor pad_to_multiple(const Tensor& x, const TileOptions& options);
// The first `extent` positions of every spatial side (`t` itself when nothing is cut).
Tensor crop_to(const Tensor& t, const std::vector<int64_t>& extent);

// Pads every spatial side to padded_extent, runs `fn` once on the whole batch, crops back.
Tensor run_whole(const Tensor& x, const ImageFn& fn, const TileOptions& options);

}  // namespace revgan::infer
