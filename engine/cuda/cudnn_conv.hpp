// CUDA convolution, 2D and 3D, through cuDNN (the CUDA side of kernels/cpu/conv.hpp). Algorithms
// are chosen once per geometry among cuDNN's deterministic FMA-math ones (no TF32) and cached;
// workspaces come from the caching allocator. Pointers are device pointers on the current device.
#pragma once

#include <cstddef>

#include "kernels/common/geometry.hpp"

namespace revgan::cuda {

// y = conv(x, w) + bias (bias may be null).
template <class T>
void cudnn_conv_forward(const kernels::ConvGeometry& g, const T* x, const T* w, const T* bias, T* y);

// dx = J^T dy. Overwrites dx unless `accumulate`.
template <class T>
void cudnn_conv_backward_data(const kernels::ConvGeometry& g, const T* dy, const T* w, T* dx, bool accumulate);

// dw from x and dy, summed over the batch. Overwrites unless `accumulate`. The bias gradient is
// a channel sum of dy (kernels/cuda/im2col.cuh), not a cuDNN call.
template <class T>
void cudnn_conv_backward_filter(const kernels::ConvGeometry& g, const T* x, const T* dy, T* dw, bool accumulate);

// Geometries with a cached plan (descriptors and chosen algorithms), over all devices.
std::size_t cudnn_conv_cached_plans();

}  // namespace revgan::cuda
