// CPU transposed convolution, 2D and 3D, as the adjoint of conv: the large output y plays
// the role of conv's input, so the forward is GEMM + col2im and the backward is one im2col
// of dy feeding the GEMMs of both gradients. The weight [Cin, Cout*k] is already conv's [out, in*k] layout.
#include "kernels/cpu/conv_transpose.hpp"

#include "kernels/cpu/im2col.hpp"

namespace revgan::kernels::cpu {

int64_t conv_transpose_workspace_elements(const ConvGeometry& g) {
  const detail::ColShape s = transpose_cols(g);
  return detail::col_is_identity(s) ? 0 : detail::col_rows(s) * volume(g.input);
}

template <class T>
void conv_transpose_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y,
                            T* workspace) {
  const detail::ColShape s = transpose_cols(g);
  const bool identity = detail::col_is_identity(s);
  const int64_t k = detail::col_rows(s);
  const int64_t cin = g.in_channels;
  const int64_t in_vol = volume(g.input);
  const int64_t out_size = g.out_channels * volume(g.output);

  for (int64_t n = 0; n < g.batch; ++n) {
    const T* xn = x + n * cin * in_vol;
    T* yn = y + n * out_size;
    // Seeding y with the bias lets the GEMM or col2im add onto it instead of zeroing.
    const bool seeded = bias != nullptr;
    if (seeded) detail::fill_channel_bias(bias, g.out_channels, volume(g.output), yn);
    if (identity) {
      detail::gemm(true, false, k, in_vol, cin, T(1), w, k, xn, in_vol, seeded ? T(1) : T(0),
                   yn, in_vol);
    } else {
      // col[Cout*k, in] = w^T x, then fold the columns onto y.
      detail::gemm(true, false, k, in_vol, cin, T(1), w, k, xn, in_vol, T(0), workspace,
                   in_vol);
      detail::col2im(s, workspace, yn, seeded);
    }
  }
}

template <class T>
void conv_transpose_backward(const ConvGeometry& g, const T* x, const T* dy, const T* w, T* dx, T* dw, T* db,
                             T* workspace, bool accumulate) {
  const detail::ColShape s = transpose_cols(g);
  const bool identity = detail::col_is_identity(s);
  const int64_t k = detail::col_rows(s);
  const int64_t cin = g.in_channels;
  const int64_t in_vol = volume(g.input);
  const int64_t out_vol = volume(g.output);
  const int64_t out_size = g.out_channels * out_vol;

  if (dx != nullptr || dw != nullptr) {
    for (int64_t n = 0; n < g.batch; ++n) {
      const T* dyn = dy + n * out_size;
      // One unfolding of dy serves both gradients.
      const T* col = dyn;
      if (!identity) {
        detail::im2col(s, dyn, workspace);
        col = workspace;
      }
      // dx[Cin, in] = w[Cin, Cout*k] * col[Cout*k, in]: an ordinary conv of dy.
      if (dx != nullptr)
        detail::gemm(false, false, cin, in_vol, k, T(1), w, k, col, in_vol, accumulate ? T(1) : T(0),
                     dx + n * cin * in_vol, in_vol);
      // dw[Cin, Cout*k] += x[Cin, in] * col^T; the first sample overwrites unless asked to
      // accumulate.
      if (dw != nullptr)
        detail::gemm(false, true, cin, k, in_vol, T(1), x + n * cin * in_vol, in_vol, col, in_vol,
                     (accumulate || n > 0) ? T(1) : T(0), dw, k);
    }
  }
  if (db != nullptr) detail::channel_sum(dy, g.batch, g.out_channels, out_vol, db, accumulate);
}

template void conv_transpose_forward<float>(const ConvGeometry&, const float*, const float*,
                                            const float*, float*, float*);
template void conv_transpose_forward<double>(const ConvGeometry&, const double*, const double*,
                                             const double*, double*, double*);
template void conv_transpose_backward<float>(const ConvGeometry&, const float*, const float*, const float*, float*,
                                             float*, float*, float*, bool);
template void conv_transpose_backward<double>(const ConvGeometry&, const double*, const double*, const double*,
                                              double*, double*, double*, double*, bool);

}  // namespace revgan::kernels::cpu
