// CPU convolution, 2D and 3D: per sample, im2col then a GEMM against the weight viewed as
// [Cout, Cin*k]; the input gradient of a narrowing stride-1 conv runs as a conv of dy. The column matrix is built band by band (whole output rows, at most
// col_workspace_cap elements), so the workspace stays small for wide kernels on large images;
// the forward's GEMM reduces in chunks (see gemm_chunked_reduction). Each call is one thread
// team (thread_team.hpp) that splits the unfolding and the GEMMs itself; OpenBLAS runs
// single-threaded inside it.
#include "kernels/cpu/conv.hpp"

#include <algorithm>

#include "kernels/common/input_grad_conv.hpp"
#include "kernels/cpu/im2col.hpp"
#include "kernels/cpu/thread_team.hpp"

namespace revgan::kernels::cpu {

namespace {

// Calls body(tile) for consecutive bands of output slabs covering the whole output.
template <class Body>
void for_each_band(const detail::ColShape& s, Body&& body) {
  const int64_t slabs = detail::col_slabs(s);
  const int64_t per_tile = detail::slabs_per_tile(s, detail::col_workspace_cap);
  for (int64_t first = 0; first < slabs; first += per_tile) body(detail::col_tile(s, first, std::min(per_tile, slabs - first)));
}

// The input gradient of a stride-1 conv is itself a stride-1 conv of dy
// (kernels/common/input_grad_conv.hpp). When Cout < Cin that form unfolds dy (Cout * taps rows)
// instead of writing Cin * taps rows of column gradients and folding them back: for the 7x7
// 32 -> 3 output conv, 147 rows instead of 1568.
bool input_grad_as_conv(const ConvGeometry& g) {
  return g.out_channels < g.in_channels && !detail::col_is_identity(conv_cols(g)) && input_grad_is_conv(g);
}

int64_t column_elements(const ConvGeometry& g) {
  const detail::ColShape s = conv_cols(g);
  // The 1x1 path reads x (or writes dx) in place, so it needs no column buffer.
  if (detail::col_is_identity(s)) return 0;
  const int64_t slab = volume(g.output) / detail::col_slabs(s);
  return detail::col_rows(s) * slab * detail::slabs_per_tile(s, detail::col_workspace_cap);
}

// y = (or +=, with beta 1) conv(x, w) + bias, sample by sample. A chunk is a run of output
// slabs of a band: its thread unfolds them into their own part of the workspace and multiplies
// (every output is one full reduction).
template <class T>
void conv_forward_into(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y, T* workspace, T beta_y) {
  const detail::ColShape s = conv_cols(g);
  const bool identity = detail::col_is_identity(s);
  const int64_t k = detail::col_rows(s);
  const int64_t in_size = g.in_channels * volume(g.input);
  const int64_t out_vol = volume(g.output);
  const int64_t cout = g.out_channels;
  // Seeding y with the bias and letting GEMM add onto it saves a pass over y.
  const T beta = bias != nullptr ? T(1) : beta_y;
  // y[:, first, first + count) from their column matrix col (leading dimension ldb).
  auto multiply = [&](T* yn, const T* col, int64_t ldb, int64_t first, int64_t count) {
    if (bias != nullptr) detail::fill_channel_bias(bias, cout, out_vol, first, first + count, yn);
    detail::gemm_chunked_reduction(cout, count, k, w, col, ldb, beta, yn + first, out_vol);
  };

  const int64_t work = cout * out_vol * k;
  const int64_t slabs = detail::col_slabs(s), slab_cols = out_vol / slabs;
  const int threads = detail::team_size(
      detail::chunks(identity ? out_vol : slabs, work, detail::units_for_min_side(identity ? 1 : slab_cols)).count);
  for (int64_t n = 0; n < g.batch; ++n) {
    const T* xn = x + n * in_size;
    T* yn = y + n * cout * out_vol;
    detail::run_team(threads, [&] {
      if (identity) {
        detail::for_each_chunk(detail::chunks(out_vol, work, detail::k_min_gemm_side),
                               [&](detail::Share c) { multiply(yn, xn + c.begin, out_vol, c.begin, c.size()); });
        return;
      }
      for_each_band(s, [&](const detail::ColTile& band) {
        const int64_t band_slabs = volume(band.shape.cols) / slab_cols;
        const int64_t first_slab = band.col_offset / slab_cols;
        const detail::Chunks slab_runs =
            detail::chunks(band_slabs, cout * band_slabs * slab_cols * k, detail::units_for_min_side(slab_cols));
        detail::for_each_chunk(slab_runs, [&](detail::Share c) {
          const detail::ColTile part = detail::col_tile(s, first_slab + c.begin, c.size());
          const int64_t cols = c.size() * slab_cols;
          T* col = workspace + k * c.begin * slab_cols;
          detail::im2col_rows(part.shape, xn + part.image_offset, col, cols, 0, k);
          multiply(yn, col, cols, part.col_offset, cols);
        });
      });
    });
  }
}

}  // namespace

int64_t conv_workspace_elements(const ConvGeometry& g) {
  int64_t elements = column_elements(g);
  if (input_grad_as_conv(g))
    elements = std::max(elements, flipped_weight_elements(g) + column_elements(input_grad_conv_geometry(g)));
  return elements;
}

template <class T>
void conv_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y, T* workspace) {
  conv_forward_into(g, x, w, bias, y, workspace, T(0));
}

template <class T>
void conv_backward_input(const ConvGeometry& g, const T* dy, const T* w, T* dx, T* workspace, bool accumulate) {
  const detail::ColShape s = conv_cols(g);
  const bool identity = detail::col_is_identity(s);
  const int64_t k = detail::col_rows(s);
  const int64_t in_size = g.in_channels * volume(g.input);
  const int64_t out_vol = volume(g.output);
  const int64_t cout = g.out_channels;

  if (input_grad_as_conv(g)) {
    // dx = (or +=) conv(dy, flipped weights).
    flip_conv_weights(g, w, workspace);
    conv_forward_into(input_grad_conv_geometry(g), dy, static_cast<const T*>(workspace), static_cast<const T*>(nullptr),
                      dx, workspace + flipped_weight_elements(g), accumulate ? T(1) : T(0));
    return;
  }
  // dcol[Cin*k, band] = w^T dy[:, band], folded back onto dx band by band; bands overlap in the
  // image where kernels do, so every band adds. A chunk is a run of whole channels: their rows
  // of dcol and their planes of dx.
  const int64_t work = cout * out_vol * k;
  const int64_t taps = volume(g.kernel), plane = volume(g.input);
  const detail::Chunks channel_runs = detail::chunks(g.in_channels, work, detail::units_for_min_side(taps));
  const detail::Chunks column_runs = detail::chunks(out_vol, work, detail::k_min_gemm_side);
  const int threads = detail::team_size(identity ? column_runs.count : channel_runs.count);
  for (int64_t n = 0; n < g.batch; ++n) {
    const T* dyn = dy + n * cout * out_vol;
    T* dxn = dx + n * in_size;
    detail::run_team(threads, [&] {
      if (identity) {
        detail::for_each_chunk(column_runs, [&](detail::Share c) {
          detail::gemm(true, false, k, c.size(), cout, T(1), w, k, dyn + c.begin, out_vol, accumulate ? T(1) : T(0),
                       dxn + c.begin, out_vol);
        });
        return;
      }
      if (!accumulate)
        detail::for_each_chunk(channel_runs,
                               [&](detail::Share c) { std::fill(dxn + c.begin * plane, dxn + c.end * plane, T(0)); });
      for_each_band(s, [&](const detail::ColTile& tile) {
        const int64_t cols = volume(tile.shape.cols);
        detail::for_each_chunk(channel_runs, [&](detail::Share c) {
          detail::gemm(true, false, c.size() * taps, cols, cout, T(1), w + c.begin * taps, k, dyn + tile.col_offset,
                       out_vol, T(0), workspace + c.begin * taps * cols, cols);
          detail::col2im_channels(tile.shape, workspace, cols, dxn + tile.image_offset, c.begin, c.end, true);
        });
      });
    });
  }
}

template <class T>
void conv_backward_weight(const ConvGeometry& g, const T* x, const T* dy, T* dw, T* db, T* workspace,
                          bool accumulate) {
  const detail::ColShape s = conv_cols(g);
  const bool identity = detail::col_is_identity(s);
  const int64_t k = detail::col_rows(s);
  const int64_t in_size = g.in_channels * volume(g.input);
  const int64_t out_vol = volume(g.output);
  const int64_t cout = g.out_channels;

  // dw[Cout, Cin*k] += dy[Cout, band] * col[:, band]^T; the first product overwrites unless
  // asked to accumulate, so dw never needs a zero-fill. A chunk is a run of col's rows (dw's
  // columns): its thread unfolds those rows and multiplies them.
  const int64_t work = cout * out_vol * k;
  const detail::Chunks row_runs = detail::chunks(k, work, detail::k_min_gemm_side);
  detail::run_team(detail::team_size(row_runs.count), [&] {
    bool first = !accumulate;
    for (int64_t n = 0; n < g.batch; ++n) {
      const T* xn = x + n * in_size;
      const T* dyn = dy + n * cout * out_vol;
      if (identity) {
        detail::for_each_chunk(row_runs, [&](detail::Share r) {
          detail::gemm(false, true, cout, r.size(), out_vol, T(1), dyn, out_vol, xn + r.begin * out_vol, out_vol,
                       first ? T(0) : T(1), dw + r.begin, k);
        });
        first = false;
        continue;
      }
      for_each_band(s, [&](const detail::ColTile& tile) {
        const int64_t cols = volume(tile.shape.cols);
        detail::for_each_chunk(row_runs, [&](detail::Share r) {
          detail::im2col_rows(tile.shape, xn + tile.image_offset, workspace, cols, r.begin, r.end);
          detail::gemm(false, true, cout, r.size(), cols, T(1), dyn + tile.col_offset, out_vol,
                       workspace + r.begin * cols, cols, first ? T(0) : T(1), dw + r.begin, k);
        });
        first = false;
      });
    }
  });
  if (db != nullptr) detail::channel_sum(dy, g.batch, cout, out_vol, db, accumulate);
}

template void conv_forward<float>(const ConvGeometry&, const float*, const float*, const float*, float*, float*);
template void conv_forward<double>(const ConvGeometry&, const double*, const double*, const double*, double*,
                                   double*);
template void conv_backward_input<float>(const ConvGeometry&, const float*, const float*, float*, float*, bool);
template void conv_backward_input<double>(const ConvGeometry&, const double*, const double*, double*, double*, bool);
template <class T>
void conv_bias_backward(const ConvGeometry& g, const T* dy, T* db) {
  detail::channel_sum(dy, g.batch, g.out_channels, volume(g.output), db, false);
}

template void conv_backward_weight<float>(const ConvGeometry&, const float*, const float*, float*, float*, float*,
                                          bool);
template void conv_backward_weight<double>(const ConvGeometry&, const double*, const double*, double*, double*,
                                           double*, bool);

template void conv_bias_backward<float>(const ConvGeometry&, const float*, float*);
template void conv_bias_backward<double>(const ConvGeometry&, const double*, double*);

}  // namespace revgan::kernels::cpu
