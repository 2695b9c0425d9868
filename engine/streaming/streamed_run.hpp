// Exact tiled execution of a Program: layer by layer over tiles, with every instance norm's
// statistics gathered over all tiles of its input before any tile is normalised, so the result
// equals the modules' forward on the whole input (up to float rounding), whatever the tiles.
//
// Between instance norms a chain of layers is evaluated lazily, box by box, from the last
// stored activation (field.hpp): a tile of a conv's output reads exactly the input box it
// depends on, halos and image borders included, through strided and transposed convs alike.
// An instance norm needs one pass over its whole input for the statistics; that input is then
// either stored (when it is at most `store_factor` times the largest state of the program:
// low-resolution activations) or recomputed tile by tile when read (the full-resolution ones).
// The state between steps is stored: coupling blocks update their halves in place, residual
// blocks write a new buffer.
#pragma once

#include "engine/streaming/field.hpp"
#include "engine/streaming/program.hpp"

namespace revgan::streaming {

struct StreamOptions {
  Axes tile{512, 512, 512};  // tile side per axis (D, H, W) in input positions; D is ignored for images
  double store_factor = 2.0;
  Device device = Device::cpu();  // where convolutions run; activations stay in host memory
};

// `input`: CPU float32 [1, C, (D,) H, W]; returns the output as CPU float32.
Tensor run_streamed(const Program& program, const Tensor& input, const StreamOptions& options);

// The peak bytes of host memory run_streamed allocates for an input of `extent`, the input
// itself included, from a dry run taking the same decisions without computing anything.
int64_t estimate_streamed_bytes(const Program& program, const Axes& extent, const StreamOptions& options);

// The output extent of `program` for an input of `extent` (fails when the input is too small).
Axes program_output_extent(const Program& program, const Axes& extent);

}  // namespace revgan::streaming
