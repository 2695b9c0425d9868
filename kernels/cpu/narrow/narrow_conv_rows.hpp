// The row kernels behind kernels/cpu/conv_narrow.hpp: one file per instruction set, each compiled
// with that set enabled (kernels/CMakeLists.txt) and called only on CPUs that have it. This header
// and the kernels include no standard library header: inline library code compiled with AVX-512
// enabled could otherwise be merged into callers meant to run anywhere.
#pragma once

#include <cstdint>

namespace revgan::kernels::cpu::narrow {

// The extents of a stride-1, unpadded 2D convolution with 1-4 output channels.
struct NarrowShape {
  int64_t batch = 0, in_channels = 0, out_channels = 0;
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0, k_h = 0, k_w = 0;
};

// Such a convolution on flat NCHW buffers.
struct NarrowConvRows : NarrowShape {
  const float* x = nullptr;     // [batch, in_channels, in_h, in_w]
  const float* w = nullptr;     // [out_channels, in_channels, k_h, k_w]
  const float* bias = nullptr;  // [out_channels] or null
  float* y = nullptr;           // [batch, out_channels, out_h, out_w]
};

// Output rows [first, last) of the flattened (sample, output row) index, every output channel.
void conv_rows_avx512(const NarrowConvRows& r, int64_t first, int64_t last);
void conv_rows_avx2(const NarrowConvRows& r, int64_t first, int64_t last);

// The weight gradient of such a conv: dw[co, ci, kh, kw] = (dw if accumulate) +
// sum over samples and output pixels of dy[n, co, oh, ow] * x[n, ci, oh + kh, ow + kw].
struct NarrowWeightGrad : NarrowShape {
  const float* x = nullptr;   // [batch, in_channels, in_h, in_w]
  const float* dy = nullptr;  // [batch, out_channels, out_h, out_w]
  float* dw = nullptr;        // [out_channels, in_channels, k_h, k_w]
  bool accumulate = false;
};

// Every output lane of the weight gradient keeps this many partial sums (output columns ow
// with the same ow mod 16 fall in one), whatever the vector width: so AVX-512 and AVX2 add the
// same terms in the same order.
inline constexpr int k_weight_grad_lanes = 16;

// Kernel rows [first, last) of the flattened (input channel, kernel row) index: every output
// channel and kernel column of each.
void weight_grad_avx512(const NarrowWeightGrad& r, int64_t first, int64_t last);
void weight_grad_avx2(const NarrowWeightGrad& r, int64_t first, int64_t last);

}  // namespace revgan::kernels::cpu::narrow
