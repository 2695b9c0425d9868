// What running one layer's op costs in memory besides its input: its output and the scratch
// the CPU kernels allocate for it (im2col / col2im workspaces, instance norm's 1/std). The one
// place both memory estimates (streamed dry runs and whole-image forwards) take these from.
#pragma once

#include "engine/streaming/program.hpp"

namespace revgan::streaming {

inline constexpr int64_t k_float_bytes = 4;

// Channels after `layer` given `in_channels` before it.
int64_t output_channels(const Layer& layer, int64_t in_channels);
// Bytes of scratch the op for `layer` holds next to its output, for a batch of `n` inputs of
// `in_channels` x `in` (float32; the CPU kernels' workspace sizes).
int64_t scratch_bytes(const Layer& layer, int64_t n, int64_t in_channels, const Axes& in, int dims);

}  // namespace revgan::streaming
