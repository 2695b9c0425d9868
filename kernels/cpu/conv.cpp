// CPU convolution, 2D and 3D: per sample, im2col then a GEMM against the weight
// viewed as [Cout, Cin*k] (the forward reduces in chunks: see gemm_chunked_reduction).
// GEMMs run outside OpenMP regions so OpenBLAS can thread them.
#include "kernels/cpu/conv.hpp"

#include "kernels/cpu/im2col.hpp"

namespace revgan::kernels::cpu {

namespace {

// x's channels unfolded over y's spatial positions.
detail::ColShape conv_cols(const ConvGeometry& g) {
  detail::ColShape s;
  s.channels = g.in_channels;
  s.image = g.input;
  s.cols = g.output;
  s.kernel = g.kernel;
  s.stride = g.stride;
  s.padding = g.padding;
  return s;
}

}  // namespace

int64_t conv_workspace_elements(const ConvGeometry& g) {
  const detail::ColShape s = conv_cols(g);
  // The 1x1 path reads x (or writes dx) in place, so it needs no column buffer.
  return detail::col_is_identity(s) ? 0 : detail::col_rows(s) * volume(g.output);
}

template <class T>
void conv_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y,
                  T* workspace) {
  const detail::ColShape s = conv_cols(g);
  const bool identity = detail::col_is_identity(s);
  const int64_t k = detail::col_rows(s);
  const int64_t in_size = g.in_channels * volume(g.input);
  const int64_t out_vol = volume(g.output);
  const int64_t cout = g.out_channels;

  for (int64_t n = 0; n < g.batch; ++n) {
    const T* xn = x + n * in_size;
    T* yn = y + n * cout * out_vol;
    const T* col = xn;
    if (!identity) {
      detail::im2col(s, xn, workspace);
      col = workspace;
    }
    // Seeding y with the bias and letting GEMM add onto it saves a pass over y.
    T beta = T(0);
    if (bias != nullptr) {
      detail::fill_channel_bias(bias, cout, out_vol, yn);
      beta = T(1);
    }
    detail::gemm_chunked_reduction(cout, out_vol, k, w, col, beta, yn);
  }
}

template <class T>
void conv_backward_input(const ConvGeometry& g, const T* dy, const T* w, T* dx, T* workspace,
                         bool accumulate) {
  const detail::ColShape s = conv_cols(g);
  const bool identity = detail::col_is_identity(s);
  const int64_t k = detail::col_rows(s);
  const int64_t in_size = g.in_channels * volume(g.input);
  const int64_t out_vol = volume(g.output);
  const int64_t cout = g.out_channels;

  for (int64_t n = 0; n < g.batch; ++n) {
    const T* dyn = dy + n * cout * out_vol;
    T* dxn = dx + n * in_size;
    if (identity) {
      detail::gemm(true, false, k, out_vol, cout, T(1), w, k, dyn, out_vol,
                   accumulate ? T(1) : T(0), dxn, out_vol);
    } else {
      // dcol[Cin*k, out] = w^T dy, then fold the columns back onto dx.
      detail::gemm(true, false, k, out_vol, cout, T(1), w, k, dyn, out_vol, T(0), workspace,
                   out_vol);
      detail::col2im(s, workspace, dxn, accumulate);
    }
  }
}

template <class T>
void conv_backward_weight(const ConvGeometry& g, const T* x, const T* dy, T* dw, T* db,
                          T* workspace, bool accumulate) {
  const detail::ColShape s = conv_cols(g);
  const bool identity = detail::col_is_identity(s);
  const int64_t k = detail::col_rows(s);
  const int64_t in_size = g.in_channels * volume(g.input);
  const int64_t out_vol = volume(g.output);
  const int64_t cout = g.out_channels;

  for (int64_t n = 0; n < g.batch; ++n) {
    const T* xn = x + n * in_size;
    const T* dyn = dy + n * cout * out_vol;
    const T* col = xn;
    if (!identity) {
      detail::im2col(s, xn, workspace);
      col = workspace;
    }
    // dw[Cout, Cin*k] += dy[Cout, out] * col^T; the first sample overwrites unless asked
    // to accumulate, so dw never needs a zero-fill.
    const T beta = (accumulate || n > 0) ? T(1) : T(0);
    detail::gemm(false, true, cout, k, out_vol, T(1), dyn, out_vol, col, out_vol, beta, dw, k);
  }
  if (db != nullptr) detail::channel_sum(dy, g.batch, cout, out_vol, db, accumulate);
}

template void conv_forward<float>(const ConvGeometry&, const float*, const float*, const float*,
                                  float*, float*);
template void conv_forward<double>(const ConvGeometry&, const double*, const double*,
                                   const double*, double*, double*);
template void conv_backward_input<float>(const ConvGeometry&, const float*, const float*,
                                         float*, float*, bool);
template void conv_backward_input<double>(const ConvGeometry&, const double*, const double*,
                                          double*, double*, bool);
template void conv_backward_weight<float>(const ConvGeometry&, const float*, const float*,
                                          float*, float*, float*, bool);
template void conv_backward_weight<double>(const ConvGeometry&, const double*, const double*,
                                           double*, double*, double*, bool);

}  // namespace revgan::kernels::cpu
