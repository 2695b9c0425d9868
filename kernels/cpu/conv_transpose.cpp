// CPU transposed convolution, 2D and 3D, as the adjoint of conv: the large output y plays
// the role of conv's input, so the forward is GEMM + col2im and the backward is one im2col
// of dy feeding the GEMMs of both gradients. The weight [Cin, Cout*k] is already conv's [out, in*k] layout.
// Each call is one thread team (thread_team.hpp) splitting the work itself.
#include "kernels/cpu/conv_transpose.hpp"

#include <algorithm>

#include "kernels/cpu/im2col.hpp"
#include "kernels/cpu/thread_team.hpp"

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
  const int64_t out_vol = volume(g.output);
  const int64_t out_size = g.out_channels * out_vol;
  const int64_t taps = volume(g.kernel);
  // A chunk is a run of whole output channels: their rows of col = w^T x and their planes of y.
  const int64_t work = k * in_vol * cin;
  const detail::Chunks channel_runs = detail::chunks(g.out_channels, work, detail::units_for_min_side(taps));
  const int threads = detail::team_size(channel_runs.count);
  for (int64_t n = 0; n < g.batch; ++n) {
    const T* xn = x + n * cin * in_vol;
    T* yn = y + n * out_size;
    detail::run_team(threads, [&] {
      detail::for_each_chunk(channel_runs, [&](detail::Share c) {
        const int64_t row0 = c.begin * taps, rows = c.size() * taps;
        T* y_part = yn + c.begin * out_vol;
        // Seeding y with the bias lets the GEMM or col2im add onto it instead of zeroing.
        const bool seeded = bias != nullptr;
        if (seeded) detail::fill_channel_bias(bias + c.begin, c.size(), out_vol, 0, out_vol, y_part);
        if (identity) {
          detail::gemm(true, false, rows, in_vol, cin, T(1), w + row0, k, xn, in_vol, seeded ? T(1) : T(0), y_part,
                       in_vol);
          return;
        }
        // col[Cout*k, in] = w^T x, then fold the columns onto y.
        detail::gemm(true, false, rows, in_vol, cin, T(1), w + row0, k, xn, in_vol, T(0), workspace + row0 * in_vol,
                     in_vol);
        detail::col2im_channels(s, workspace, in_vol, yn, c.begin, c.end, seeded);
      });
    });
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

  // One unfolding of dy serves both gradients. A chunk of col's rows is unfolded and turned into
  // dw's matching columns by one thread; then the team shares out runs of dx's columns.
  const int64_t work = cin * in_vol * k;
  const detail::Chunks row_runs = detail::chunks(k, work, detail::k_min_gemm_side);
  const detail::Chunks column_runs = detail::chunks(in_vol, work, detail::k_min_gemm_side);
  const int threads = detail::team_size(std::max(row_runs.count, column_runs.count));
  if (dx != nullptr || dw != nullptr) {
    for (int64_t n = 0; n < g.batch; ++n) {
      const T* dyn = dy + n * out_size;
      const T* col = identity ? dyn : workspace;
      detail::run_team(threads, [&] {
        detail::for_each_chunk(row_runs, [&](detail::Share r) {
          if (!identity) detail::im2col_rows(s, dyn, workspace, in_vol, r.begin, r.end);
          // dw[Cin, Cout*k] += x[Cin, in] * col^T; the first sample overwrites unless asked to
          // accumulate.
          if (dw != nullptr)
            detail::gemm(false, true, cin, r.size(), in_vol, T(1), x + n * cin * in_vol, in_vol, col + r.begin * in_vol,
                         in_vol, (accumulate || n > 0) ? T(1) : T(0), dw + r.begin, k);
        });
        if (dx == nullptr) return;
        // dx[Cin, in] = w[Cin, Cout*k] * col[Cout*k, in]: an ordinary conv of dy.
        detail::for_each_chunk(column_runs, [&](detail::Share c) {
          detail::gemm(false, false, cin, c.size(), k, T(1), w, k, col + c.begin, in_vol, accumulate ? T(1) : T(0),
                       dx + n * cin * in_vol + c.begin, in_vol);
        });
      });
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
