// CUDA im2col / col2im and the per-channel bias helpers (twin of kernels/cpu/im2col.hpp),
// used by the GEMM-based transposed convolution (engine/cuda/conv_transpose.cpp) and, for the
// bias, by the cuDNN convolution. col2im is a gather: every image element sums its column
// entries in tap order, so it needs no atomics and is deterministic.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/common/col_shape.hpp"

namespace revgan::kernels::cuda {

// The column matrix (kernels/common/col_shape.hpp), shared with the CPU kernels; the CUDA
// kernels unfold whole images (plane_stride stays 0).
using kernels::ColShape;
using kernels::col_is_identity;
using kernels::col_rows;

// col[col_rows, volume(cols)] from image[channels, image...]; padded taps read zero.
template <class T>
cudaError_t im2col(const ColShape& s, const T* image, T* col, cudaStream_t stream);

// image = the adjoint of im2col applied to col, added onto: image itself when `accumulate`,
// else bias[channel] when bias is non-null, else zero.
template <class T>
cudaError_t col2im(const ColShape& s, const T* col, const T* bias, T* image, bool accumulate, cudaStream_t stream);

// out[batch, channels, spatial] = bias[channel].
template <class T>
cudaError_t fill_channel_bias(const T* bias, int64_t batch, int64_t channels, int64_t spatial, T* out,
                              cudaStream_t stream);

// out[c] = (or +=) the sum of x[batch, channels, spatial] over batch and space, in double, one
// block per channel (no atomics).
template <class T>
cudaError_t channel_sum(const T* x, int64_t batch, int64_t channels, int64_t spatial, T* out, bool accumulate,
                        cudaStream_t stream);

}  // namespace revgan::kernels::cuda
