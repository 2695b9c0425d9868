// The convolution shape rule in one place: argument checks and the kernel geometry for conv
// and transposed conv, shared by the ops and by anything that must predict their output shape.
#pragma once

#include "engine/ops/conv.hpp"
#include "kernels/common/geometry.hpp"

namespace revgan::ops {

// floor((in + 2 * padding - kernel) / stride) + 1; the caller has checked in + 2p >= kernel.
int64_t conv_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding);
// (in - 1) * stride - 2 * padding + kernel + output_padding.
int64_t conv_transpose_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding,
                                   int64_t output_padding);

// Validate x, weight, bias (may be undefined) and options, naming the op in every error, and
// return the geometry the kernels take. A 2D op gets D == 1 with a trivial depth axis.
kernels::ConvGeometry conv_geometry(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                    const ConvOptions& options);
kernels::ConvGeometry conv_transpose_geometry(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                              const ConvTransposeOptions& options);

// [N, Cout, (D,) H, W] for an op whose x has rank `rank` (4 or 5).
Shape conv_output_shape(const kernels::ConvGeometry& g, int rank);

}  // namespace revgan::ops
