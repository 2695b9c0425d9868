// CUDA im2col / col2im and the per-channel bias helpers (twin of kernels/cpu/im2col.hpp),
// used by the GEMM-based transposed convolution (engine/cuda/conv_transpose.cpp) and, for the
// bias, by the cuDNN convolution. col2im is a gather: every image element sums its column
// entries in tap order, so it needs no atomics and is deterministic.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/common/geometry.hpp"

namespace revgan::kernels::cuda {

// An image of `channels` volumes of extent `image`, unfolded against `kernel` into a column
// matrix of col_rows() rows and volume(cols) columns; rows ordered (channel, kd, kh, kw).
struct ColShape {
  int64_t channels = 1;
  Extent3 image{1, 1, 1};
  Extent3 cols{1, 1, 1};
  Extent3 kernel{1, 1, 1};
  Extent3 stride{1, 1, 1};
  Extent3 padding{0, 0, 0};
};

inline int64_t col_rows(const ColShape& s) {
  return s.channels * volume(s.kernel);
}

// A 1x1 kernel with stride 1 and no padding makes the image its own column matrix.
inline bool col_is_identity(const ColShape& s) {
  for (int i = 0; i < 3; ++i)
    if (s.kernel[i] != 1 || s.stride[i] != 1 || s.padding[i] != 0) return false;
  return true;
}

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
