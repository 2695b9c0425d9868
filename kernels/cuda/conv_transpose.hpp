// CUDA transposed convolution, 2D and 3D (twin of kernels/cpu/conv_transpose.hpp): cuBLAS GEMMs
// strung together with the hand-written im2col / col2im gather kernels of im2col.cuh.
// Deterministic: col2im gathers, the batch sum of dw is a chain of GEMMs with beta = 1, and
// cuBLAS runs without atomics. Pointers are device pointers on ctx.device.
#pragma once

#include "kernels/common/geometry.hpp"
#include "kernels/cuda/library.hpp"

namespace revgan::kernels::cuda {

// Elements of T the caller provides as `workspace` (0: pass nullptr).
int64_t conv_transpose_workspace_elements(const ConvGeometry& g);

template <class T>
LibraryStatus conv_transpose_forward(const LibraryContext& ctx, const ConvGeometry& g, const T* x, const T* w,
                                     const T* bias, T* y, T* workspace);

template <class T>
LibraryStatus conv_transpose_backward_input(const LibraryContext& ctx, const ConvGeometry& g, const T* dy, const T* w,
                                            T* dx, T* workspace, bool accumulate);

// dw (and db if non-null) from x and dy, summed over the batch. Overwrites unless `accumulate`.
template <class T>
LibraryStatus conv_transpose_backward_weight(const LibraryContext& ctx, const ConvGeometry& g, const T* x, const T* dy,
                                             T* dw, T* db, T* workspace, bool accumulate);

}  // namespace revgan::kernels::cuda
