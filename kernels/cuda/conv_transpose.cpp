// CUDA transposed convolution as the adjoint of conv, mirroring kernels/cpu/conv_transpose.cpp
// step for step: the large output y plays conv's input, so the forward is GEMM + col2im and the
// backward passes are im2col of dy + GEMM. The weight [Cin, Cout*k] already is conv's layout.
#include "kernels/cuda/conv_transpose.hpp"

#include "kernels/cuda/gemm.hpp"
#include "kernels/cuda/im2col.cuh"

namespace revgan::kernels::cuda {

namespace kc = kernels::cuda;

int64_t conv_transpose_workspace_elements(const ConvGeometry& g) {
  const kc::ColShape s = transpose_cols(g);
  return kc::col_is_identity(s) ? 0 : kc::col_rows(s) * kernels::volume(g.input);
}

template <class T>
LibraryStatus conv_transpose_forward(const LibraryContext& ctx, const ConvGeometry& g, const T* x, const T* w,
                                     const T* bias, T* y, T* workspace) {
  const kc::ColShape s = transpose_cols(g);
  const bool identity = kc::col_is_identity(s);
  const int64_t k = kc::col_rows(s);
  const int64_t cin = g.in_channels;
  const int64_t in_vol = kernels::volume(g.input);
  const int64_t out_vol = kernels::volume(g.output);
  const int64_t out_size = g.out_channels * out_vol;
  const cudaStream_t st = ctx.stream;

  for (int64_t n = 0; n < g.batch; ++n) {
    const T* xn = x + n * cin * in_vol;
    T* yn = y + n * out_size;
    if (identity) {
      // Seeding y with the bias lets the GEMM add onto it.
      if (bias != nullptr) REVGAN_TRY_CUDA(kc::fill_channel_bias<T>(bias, 1, g.out_channels, out_vol, yn, st));
      REVGAN_TRY(
          gemm(ctx, true, false, k, in_vol, cin, T(1), w, k, xn, in_vol, bias != nullptr ? T(1) : T(0), yn, in_vol));
    } else {
      // col[Cout*k, in] = w^T x, then gather the columns onto y, starting from the bias.
      REVGAN_TRY(gemm(ctx, true, false, k, in_vol, cin, T(1), w, k, xn, in_vol, T(0), workspace, in_vol));
      REVGAN_TRY_CUDA(kc::col2im<T>(s, workspace, bias, yn, false, st));
    }
  }
  return {};
}

template <class T>
LibraryStatus conv_transpose_backward_input(const LibraryContext& ctx, const ConvGeometry& g, const T* dy, const T* w,
                                            T* dx, T* workspace, bool accumulate) {
  const kc::ColShape s = transpose_cols(g);
  const bool identity = kc::col_is_identity(s);
  const int64_t k = kc::col_rows(s);
  const int64_t cin = g.in_channels;
  const int64_t in_vol = kernels::volume(g.input);
  const int64_t out_size = g.out_channels * kernels::volume(g.output);
  const cudaStream_t st = ctx.stream;

  for (int64_t n = 0; n < g.batch; ++n) {
    const T* dyn = dy + n * out_size;
    T* dxn = dx + n * cin * in_vol;
    const T* col = dyn;
    if (!identity) {
      REVGAN_TRY_CUDA(kc::im2col<T>(s, dyn, workspace, st));
      col = workspace;
    }
    // dx[Cin, in] = w[Cin, Cout*k] * col[Cout*k, in]: an ordinary conv of dy.
    REVGAN_TRY(gemm(ctx, false, false, cin, in_vol, k, T(1), w, k, col, in_vol, accumulate ? T(1) : T(0), dxn, in_vol));
  }
  return {};
}

template <class T>
LibraryStatus conv_transpose_backward_weight(const LibraryContext& ctx, const ConvGeometry& g, const T* x, const T* dy,
                                             T* dw, T* db, T* workspace, bool accumulate) {
  const kc::ColShape s = transpose_cols(g);
  const bool identity = kc::col_is_identity(s);
  const int64_t k = kc::col_rows(s);
  const int64_t cin = g.in_channels;
  const int64_t in_vol = kernels::volume(g.input);
  const int64_t out_vol = kernels::volume(g.output);
  const int64_t out_size = g.out_channels * out_vol;
  const cudaStream_t st = ctx.stream;

  for (int64_t n = 0; n < g.batch; ++n) {
    const T* xn = x + n * cin * in_vol;
    const T* dyn = dy + n * out_size;
    const T* col = dyn;
    if (!identity) {
      REVGAN_TRY_CUDA(kc::im2col<T>(s, dyn, workspace, st));
      col = workspace;
    }
    // dw[Cin, Cout*k] += x[Cin, in] * col^T; the first sample overwrites unless accumulating.
    const T beta = (accumulate || n > 0) ? T(1) : T(0);
    REVGAN_TRY(gemm(ctx, false, true, cin, k, in_vol, T(1), xn, in_vol, col, in_vol, beta, dw, k));
  }
  if (db != nullptr) REVGAN_TRY_CUDA(kc::channel_sum<T>(dy, g.batch, g.out_channels, out_vol, db, accumulate, st));
  return {};
}

#define REVGAN_INSTANTIATE(T)                                                                                      \
  template LibraryStatus conv_transpose_forward<T>(const LibraryContext&, const ConvGeometry&, const T*, const T*, \
                                                   const T*, T*, T*);                                              \
  template LibraryStatus conv_transpose_backward_input<T>(const LibraryContext&, const ConvGeometry&, const T*,    \
                                                          const T*, T*, T*, bool);                                 \
  template LibraryStatus conv_transpose_backward_weight<T>(const LibraryContext&, const ConvGeometry&, const T*,   \
                                                           const T*, T*, T*, T*, bool);
REVGAN_INSTANTIATE(float)
REVGAN_INSTANTIATE(double)
#undef REVGAN_INSTANTIATE

}  // namespace revgan::kernels::cuda
