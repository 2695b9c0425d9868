// CUDA transposed convolution as the adjoint of conv, mirroring kernels/cpu/conv_transpose.cpp
// step for step: the large output y plays conv's input, so the forward is GEMM + col2im and the
// backward passes are im2col of dy + GEMM. The weight [Cin, Cout*k] already is conv's layout.
#include "engine/cuda/conv_transpose.hpp"

#include "engine/cuda/blas.hpp"
#include "engine/cuda/cuda_check.hpp"
#include "engine/cuda/stream.hpp"
#include "kernels/cuda/im2col.cuh"

namespace revgan::cuda {

namespace {

namespace kc = kernels::cuda;

// y's channels unfolded over x's spatial positions; output_padding rows are reached by no tap.
kc::ColShape transpose_cols(const kernels::ConvGeometry& g) {
  kc::ColShape s;
  s.channels = g.out_channels;
  s.image = g.output;
  s.cols = g.input;
  s.kernel = g.kernel;
  s.stride = g.stride;
  s.padding = g.padding;
  return s;
}

}  // namespace

int64_t conv_transpose_workspace_elements(const kernels::ConvGeometry& g) {
  const kc::ColShape s = transpose_cols(g);
  return kc::col_is_identity(s) ? 0 : kc::col_rows(s) * kernels::volume(g.input);
}

template <class T>
void conv_transpose_forward(const kernels::ConvGeometry& g, const T* x, const T* w, const T* bias, T* y, T* workspace) {
  const kc::ColShape s = transpose_cols(g);
  const bool identity = kc::col_is_identity(s);
  const int64_t k = kc::col_rows(s);
  const int64_t cin = g.in_channels;
  const int64_t in_vol = kernels::volume(g.input);
  const int64_t out_vol = kernels::volume(g.output);
  const int64_t out_size = g.out_channels * out_vol;
  cudaStream_t st = stream();

  for (int64_t n = 0; n < g.batch; ++n) {
    const T* xn = x + n * cin * in_vol;
    T* yn = y + n * out_size;
    if (identity) {
      // Seeding y with the bias lets the GEMM add onto it.
      if (bias != nullptr) REVGAN_CUDA_CHECK(kc::fill_channel_bias<T>(bias, 1, g.out_channels, out_vol, yn, st));
      gemm(true, false, k, in_vol, cin, T(1), w, k, xn, in_vol, bias != nullptr ? T(1) : T(0), yn, in_vol);
    } else {
      // col[Cout*k, in] = w^T x, then gather the columns onto y, starting from the bias.
      gemm(true, false, k, in_vol, cin, T(1), w, k, xn, in_vol, T(0), workspace, in_vol);
      REVGAN_CUDA_CHECK(kc::col2im<T>(s, workspace, bias, yn, false, st));
    }
  }
}

template <class T>
void conv_transpose_backward_input(const kernels::ConvGeometry& g, const T* dy, const T* w, T* dx, T* workspace,
                                   bool accumulate) {
  const kc::ColShape s = transpose_cols(g);
  const bool identity = kc::col_is_identity(s);
  const int64_t k = kc::col_rows(s);
  const int64_t cin = g.in_channels;
  const int64_t in_vol = kernels::volume(g.input);
  const int64_t out_size = g.out_channels * kernels::volume(g.output);
  cudaStream_t st = stream();

  for (int64_t n = 0; n < g.batch; ++n) {
    const T* dyn = dy + n * out_size;
    T* dxn = dx + n * cin * in_vol;
    const T* col = dyn;
    if (!identity) {
      REVGAN_CUDA_CHECK(kc::im2col<T>(s, dyn, workspace, st));
      col = workspace;
    }
    // dx[Cin, in] = w[Cin, Cout*k] * col[Cout*k, in]: an ordinary conv of dy.
    gemm(false, false, cin, in_vol, k, T(1), w, k, col, in_vol, accumulate ? T(1) : T(0), dxn, in_vol);
  }
}

template <class T>
void conv_transpose_backward_weight(const kernels::ConvGeometry& g, const T* x, const T* dy, T* dw, T* db, T* workspace,
                                    bool accumulate) {
  const kc::ColShape s = transpose_cols(g);
  const bool identity = kc::col_is_identity(s);
  const int64_t k = kc::col_rows(s);
  const int64_t cin = g.in_channels;
  const int64_t in_vol = kernels::volume(g.input);
  const int64_t out_vol = kernels::volume(g.output);
  const int64_t out_size = g.out_channels * out_vol;
  cudaStream_t st = stream();

  for (int64_t n = 0; n < g.batch; ++n) {
    const T* xn = x + n * cin * in_vol;
    const T* dyn = dy + n * out_size;
    const T* col = dyn;
    if (!identity) {
      REVGAN_CUDA_CHECK(kc::im2col<T>(s, dyn, workspace, st));
      col = workspace;
    }
    // dw[Cin, Cout*k] += x[Cin, in] * col^T; the first sample overwrites unless accumulating.
    const T beta = (accumulate || n > 0) ? T(1) : T(0);
    gemm(false, true, cin, k, in_vol, T(1), xn, in_vol, col, in_vol, beta, dw, k);
  }
  if (db != nullptr) REVGAN_CUDA_CHECK(kc::channel_sum<T>(dy, g.batch, g.out_channels, out_vol, db, accumulate, st));
}

template void conv_transpose_forward<float>(const kernels::ConvGeometry&, const float*, const float*, const float*,
                                            float*, float*);
template void conv_transpose_forward<double>(const kernels::ConvGeometry&, const double*, const double*, const double*,
                                             double*, double*);
template void conv_transpose_backward_input<float>(const kernels::ConvGeometry&, const float*, const float*, float*,
                                                   float*, bool);
template void conv_transpose_backward_input<double>(const kernels::ConvGeometry&, const double*, const double*, double*,
                                                    double*, bool);
template void conv_transpose_backward_weight<float>(const kernels::ConvGeometry&, const float*, const float*, float*,
                                                    float*, float*, bool);
template void conv_transpose_backward_weight<double>(const kernels::ConvGeometry&, const double*, const double*,
                                                     double*, double*, double*, bool);

}  // namespace revgan::cuda
