// A direct float32 convolution for layers with few output channels: 1-4, stride 1, no padding,
// 2D, such as the 7x7 conv from K channels to RGB that ends every generator. There a GEMM has
// 3 rows and wastes most of its tiles (the im2col path runs at about 30 % of sgemm's peak) and
// oneDNN falls back to a generic kernel. Each output row is computed in registers, vectorised
// along the row with AVX-512 or AVX2 + FMA (chosen once from the CPU; kernels/cpu/narrow/), and
// each output element is bias + one fixed-order fused chain over input channel, kernel row and
// kernel column: results do not depend on the thread count. Its weight gradient (the same convs)
// runs on the same instruction sets: 16 lane sums per weight, added in a fixed order
// (kernels/cpu/narrow/narrow_weight_grad_body.inc), so neither the instruction set nor the thread
// count changes a bit. Shapes are checked by the engine.
#pragma once

#include <vector>

#include "kernels/common/geometry.hpp"
#include "kernels/cpu/narrow/narrow_conv_rows.hpp"

namespace revgan::kernels::cpu {

inline constexpr int64_t k_narrow_conv_max_outputs = 4;

// The instruction set the narrow conv runs with on this CPU: "avx512", "avx2", or "none" (then
// narrow_conv_suits is false for every geometry).
const char* narrow_conv_isa();

// Whether the narrow conv takes `g` on this CPU.
bool narrow_conv_suits(const ConvGeometry& g);

// The row kernels' view of a suiting conv on these buffers (tests call the kernels directly).
narrow::NarrowConvRows narrow_conv_rows(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                                        float* y);

// y = conv(x, w) + bias (bias may be null); needs no workspace. `g` must suit.
void narrow_conv_forward(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y);

// The weight-gradient kernels' view of a suiting conv on these buffers.
narrow::NarrowWeightGrad narrow_weight_grad(const ConvGeometry& g, const float* x, const float* dy, float* dw,
                                            bool accumulate);

// dw (+)= the weight gradient of conv(x, w) for output gradient dy; no bias gradient (the op sums
// it), no workspace. `g` must suit.
void narrow_conv_backward_weight(const ConvGeometry& g, const float* x, const float* dy, float* dw, bool accumulate);

// The kernels of one instruction set.
struct NarrowConvKernels {
  const char* isa;
  void (*rows)(const narrow::NarrowConvRows&, int64_t, int64_t);
  void (*weight_grad)(const narrow::NarrowWeightGrad&, int64_t, int64_t);
};

// Every instruction set's kernels this CPU can run, the one the conv uses first (tests compare them).
std::vector<NarrowConvKernels> narrow_conv_kernels_available();

}  // namespace revgan::kernels::cpu
