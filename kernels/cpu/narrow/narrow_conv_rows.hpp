// The row kernels behind kernels/cpu/conv_narrow.hpp: one file per instruction set, each compiled
// with that set enabled (kernels/CMakeLists.txt) and called only on CPUs that have it. This header
// and the kernels include no standard library header: inline library code compiled with AVX-512
// enabled could otherwise be merged into callers meant to run anywhere.
#pragma once

#include <cstdint>

namespace revgan::kernels::cpu::narrow {

// A stride-1, unpadded 2D convolution with 1-4 output channels, as flat NCHW buffers.
struct NarrowConvRows {
  const float* x = nullptr;     // [batch, in_channels, in_h, in_w]
  const float* w = nullptr;     // [out_channels, in_channels, k_h, k_w]
  const float* bias = nullptr;  // [out_channels] or null
  float* y = nullptr;           // [batch, out_channels, out_h, out_w]
  int64_t in_channels = 0, out_channels = 0;
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0, k_h = 0, k_w = 0;
};

// Output rows [first, last) of the flattened (sample, output row) index, every output channel.
void conv_rows_avx512(const NarrowConvRows& r, int64_t first, int64_t last);
void conv_rows_avx2(const NarrowConvRows& r, int64_t first, int64_t last);

}  // namespace revgan::kernels::cpu::narrow
