// CPU reflection / replication padding. Every output element is a copy of one input
// element, so forward is an index map per axis and backward gathers through its inverse.
// The interior of each row (the unpadded part) is a plain contiguous copy both ways; only
// the border goes through the index maps.
#include "kernels/cpu/pad.hpp"
#include "kernels/cpu/loops.hpp"

#include <algorithm>
#include <vector>

namespace revgan::kernels::cpu {
namespace {

// Input coordinate each output coordinate copies from, along one axis. Reflection
// folds once only: the caller guarantees pad < size, so one fold always lands inside.
std::vector<int64_t> source_map(int64_t n_in, int64_t n_out, int64_t before, PadMode mode) {
  std::vector<int64_t> map(n_out);
  for (int64_t o = 0; o < n_out; ++o) {
    int64_t i = o - before;
    if (mode == PadMode::reflect) {
      if (i < 0) i = -i;
      if (i >= n_in) i = 2 * (n_in - 1) - i;
    } else {
      if (i < 0) i = 0;
      if (i >= n_in) i = n_in - 1;
    }
    map[o] = i;
  }
  return map;
}

// Inverse of source_map in CSR form: the outputs of input i are
// targets[offsets[i] .. offsets[i + 1]), in increasing order so sums are reproducible.
struct InverseMap {
  std::vector<int64_t> offsets;
  std::vector<int64_t> targets;
};

// Inputs [lo, hi) around the middle that have exactly one output (their own, i + before):
// the part of a row the backward can copy instead of gathering.
struct SingleRange {
  int64_t lo = 0, hi = 0;
};

int64_t target_count(const InverseMap& inv, int64_t i) { return inv.offsets[i + 1] - inv.offsets[i]; }

SingleRange single_range(const InverseMap& inv, int64_t n_in) {
  SingleRange r{n_in / 2, n_in / 2};
  while (r.lo > 0 && target_count(inv, r.lo - 1) == 1) --r.lo;
  while (r.hi < n_in && target_count(inv, r.hi) == 1) ++r.hi;
  return r;
}

InverseMap invert(const std::vector<int64_t>& map, int64_t n_in) {
  InverseMap inv;
  inv.offsets.assign(n_in + 1, 0);
  for (int64_t i : map) ++inv.offsets[i + 1];
  for (int64_t i = 0; i < n_in; ++i) inv.offsets[i + 1] += inv.offsets[i];
  inv.targets.resize(map.size());
  std::vector<int64_t> next(inv.offsets.begin(), inv.offsets.end() - 1);
  const auto n_out = static_cast<int64_t>(map.size());
  for (int64_t o = 0; o < n_out; ++o) inv.targets[next[map[o]]++] = o;
  return inv;
}

}  // namespace

template <class T>
void pad_forward(const PadGeometry& g, PadMode mode, const T* x, T* y) {
  const auto md = source_map(g.input[0], g.output[0], g.pad_before[0], mode);
  const auto mh = source_map(g.input[1], g.output[1], g.pad_before[1], mode);
  const auto mw = source_map(g.input[2], g.output[2], g.pad_before[2], mode);
  const int64_t in_hw = g.input[1] * g.input[2];
  const int64_t in_vol = g.input[0] * in_hw;
  const int64_t out_d = g.output[0], out_h = g.output[1], out_w = g.output[2];
  const int64_t out_vol = out_d * out_h * out_w;

#pragma omp parallel for collapse(3) schedule(static) if (g.planes * out_vol >= detail::k_parallel_min)
  for (int64_t p = 0; p < g.planes; ++p) {
    for (int64_t od = 0; od < out_d; ++od) {
      for (int64_t oh = 0; oh < out_h; ++oh) {
        const T* src = x + p * in_vol + md[od] * in_hw + mh[oh] * g.input[2];
        T* dst = y + p * out_vol + (od * out_h + oh) * out_w;
        const int64_t before = g.pad_before[2], in_w = g.input[2];
        for (int64_t ow = 0; ow < before; ++ow) dst[ow] = src[mw[ow]];
        std::copy_n(src, in_w, dst + before);
        for (int64_t ow = before + in_w; ow < out_w; ++ow) dst[ow] = src[mw[ow]];
      }
    }
  }
}

template <class T>
void pad_backward(const PadGeometry& g, PadMode mode, const T* dy, T* dx, bool accumulate) {
  const auto id = invert(source_map(g.input[0], g.output[0], g.pad_before[0], mode), g.input[0]);
  const auto ih = invert(source_map(g.input[1], g.output[1], g.pad_before[1], mode), g.input[1]);
  const auto iw = invert(source_map(g.input[2], g.output[2], g.pad_before[2], mode), g.input[2]);
  const int64_t in_d = g.input[0], in_h = g.input[1], in_w = g.input[2];
  const int64_t in_vol = in_d * in_h * in_w;
  const int64_t out_hw = g.output[1] * g.output[2];
  const int64_t out_vol = g.output[0] * out_hw;
  const SingleRange w_single = single_range(iw, in_w);

#pragma omp parallel for collapse(3) schedule(static) if (g.planes * out_vol >= detail::k_parallel_min)
  for (int64_t p = 0; p < g.planes; ++p) {
    for (int64_t d = 0; d < in_d; ++d) {
      for (int64_t h = 0; h < in_h; ++h) {
        const T* plane = dy + p * out_vol;
        T* dst = dx + p * in_vol + (d * in_h + h) * in_w;
        // Rows with one source along D and H copy their interior straight from that row.
        const bool single_row = target_count(id, d) == 1 && target_count(ih, h) == 1;
        const int64_t copy_lo = single_row ? w_single.lo : in_w, copy_hi = single_row ? w_single.hi : in_w;
        if (single_row) {
          const T* row = plane + id.targets[id.offsets[d]] * out_hw + ih.targets[ih.offsets[h]] * g.output[2];
          const T* src = row + g.pad_before[2];
          if (accumulate) {
            for (int64_t w = copy_lo; w < copy_hi; ++w) dst[w] += src[w];
          } else {
            std::copy(src + copy_lo, src + copy_hi, dst + copy_lo);
          }
        }
        for (int64_t w = 0; w < in_w; ++w) {
          if (w == copy_lo) w = copy_hi;
          if (w >= in_w) break;
          // Edge elements of replication padding can collect many copies: sum in double.
          double sum = 0.0;
          for (int64_t a = id.offsets[d]; a < id.offsets[d + 1]; ++a) {
            for (int64_t b = ih.offsets[h]; b < ih.offsets[h + 1]; ++b) {
              const T* row = plane + id.targets[a] * out_hw + ih.targets[b] * g.output[2];
              for (int64_t c = iw.offsets[w]; c < iw.offsets[w + 1]; ++c) sum += static_cast<double>(row[iw.targets[c]]);
            }
          }
          dst[w] = accumulate ? static_cast<T>(dst[w] + sum) : static_cast<T>(sum);
        }
      }
    }
  }
}

template void pad_forward<float>(const PadGeometry&, PadMode, const float*, float*);
template void pad_forward<double>(const PadGeometry&, PadMode, const double*, double*);
template void pad_backward<float>(const PadGeometry&, PadMode, const float*, float*, bool);
template void pad_backward<double>(const PadGeometry&, PadMode, const double*, double*, bool);

}  // namespace revgan::kernels::cpu
