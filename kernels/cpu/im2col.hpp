// Internal helpers shared by the CPU conv and transposed-conv kernels: im2col / col2im
// over three spatial dims (zero padding, stride), an OpenBLAS GEMM wrapper, and the
// per-channel bias fill and bias-gradient sum. Not part of the kernel API.
#pragma once

#include <cstdint>

#include "kernels/common/col_shape.hpp"

namespace revgan::kernels::cpu::detail {

// The column matrix (kernels/common/col_shape.hpp), shared with the CUDA kernels.
using kernels::ColShape;
using kernels::col_is_identity;
using kernels::col_rows;

// A band of whole output slabs (along D when the output has depth, else along H) as a
// problem of its own: `shape` unfolds only the image rows the band reads, starting
// `image_offset` elements into each plane; its columns are columns [col_offset, col_offset +
// volume(shape.cols)) of the full column matrix. Unfolding band by band bounds the workspace.
struct ColTile {
  ColShape shape;
  int64_t image_offset = 0;
  int64_t col_offset = 0;
};
// Output slabs along the tiled axis, and how many of them fit in max_elements of workspace
// (at least one).
int64_t col_slabs(const ColShape& s);
int64_t slabs_per_tile(const ColShape& s, int64_t max_elements);
ColTile col_tile(const ColShape& s, int64_t first_slab, int64_t slab_count);
// Workspace cap per conv call: 2^21 elements (8 MiB in float32). The full column matrix of
// the 7x7 output conv at 128x128 would be 100 MiB.
inline constexpr int64_t col_workspace_cap = int64_t{1} << 21;

// Rows [row_begin, row_end) of col[col_rows, volume(cols)] (row r at col + r * ld, ld >=
// volume(cols)) from image[channels, image...]; padded taps read zero.
template <class T>
void im2col_rows(const ColShape& s, const T* image, T* col, int64_t ld, int64_t row_begin, int64_t row_end);

// Channels [channel_begin, channel_end) of image[channels, image...] = (or +=) the sum of every
// column entry that im2col would have copied from each pixel, i.e. the adjoint of im2col, reading
// those channels' rows of col (row r at col + r * ld). Pixels no tap reaches get zero (or are
// left alone when accumulating).
template <class T>
void col2im_channels(const ColShape& s, const T* col, int64_t ld, T* image, int64_t channel_begin, int64_t channel_end,
                     bool accumulate);

// Row-major c[m, n] = alpha * op(a) * op(b) + beta * c, where op transposes when asked.
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
          const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
          int64_t ldc);
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
          const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
          int64_t ldc);

// c[m, n] = a[m, k] * b[k, n] + beta * c (row-major, no transposes, b and c with leading
// dimensions ldb and ldc), with the reduction split
// into chunks of gemm_reduction_chunk accumulated into c one after another. Each output's
// rounding chain is then about chunk + k / chunk additions long instead of k: for the core's
// 3x3 64-channel conv (k = 576) this lowers float32 error enough that 30 reversible blocks
// invert to < 1e-4 (1.1e-4 with one chain). Costs one extra pass over c per chunk. In float,
// with oneDNN built, each chunk is oneDNN's sgemm (im2col.cpp says why).
inline constexpr int64_t gemm_reduction_chunk = 64;
template <class T>
void gemm_chunked_reduction(int64_t m, int64_t n, int64_t k, const T* a, const T* b, int64_t ldb, T beta, T* c,
                            int64_t ldc);

// out[c, col_begin:col_end] = bias[c] for every channel of out[channels, spatial].
template <class T>
void fill_channel_bias(const T* bias, int64_t channels, int64_t spatial, int64_t col_begin, int64_t col_end, T* out);

// out[c] = (or +=) the sum of x[batch, channels, spatial] over batch and space, in double
// and in an order fixed regardless of thread count.
template <class T>
void channel_sum(const T* x, int64_t batch, int64_t channels, int64_t spatial, T* out,
                 bool accumulate);

}  // namespace revgan::kernels::cpu::detail
