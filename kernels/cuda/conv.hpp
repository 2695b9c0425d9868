// CUDA convolution, 2D and 3D, through cuDNN (twin of kernels/cpu/conv.hpp). Algorithms are
// chosen once per (device, dtype, geometry) among cuDNN's deterministic FMA-math ones (no TF32)
// and cached; workspaces come from the context's scratch. Pointers are device pointers on
// ctx.device; work is queued on ctx.stream.
#pragma once

#include <cstddef>

#include "kernels/common/geometry.hpp"
#include "kernels/cuda/library.hpp"

namespace revgan::kernels::cuda {

// y = conv(x, w) + bias (bias may be null).
template <class T>
LibraryStatus conv_forward(const LibraryContext& ctx, const ConvGeometry& g, const T* x, const T* w, const T* bias,
                           T* y);

// dx = J^T dy. Overwrites dx unless `accumulate`.
template <class T>
LibraryStatus conv_backward_input(const LibraryContext& ctx, const ConvGeometry& g, const T* dy, const T* w, T* dx,
                                  bool accumulate);

// dw (and db if non-null) from x and dy, summed over the batch. Overwrites unless `accumulate`.
// The bias gradient is a deterministic channel sum of dy (im2col.cuh), not a cuDNN call.
template <class T>
LibraryStatus conv_backward_weight(const LibraryContext& ctx, const ConvGeometry& g, const T* x, const T* dy, T* dw,
                                   T* db, bool accumulate);

// Geometries with a cached plan (descriptors and chosen algorithms), over all devices.
std::size_t conv_cached_plans();

}  // namespace revgan::kernels::cuda
