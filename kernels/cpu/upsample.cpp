// CPU linear up-sampling, align_corners=False, applied as separable 1D passes (W, H, D)
// per plane; the backward runs the transposed passes in reverse order, each a gather.
#include "kernels/cpu/upsample.hpp"

#include <algorithm>
#include <vector>

namespace revgan::kernels::cpu {
namespace {

// Forward taps of one axis: output j reads lo[j] with weight w_lo[j] and hi[j] with w_hi[j].
struct AxisTaps {
  std::vector<int64_t> lo, hi;
  std::vector<double> w_lo, w_hi;
};

// Scale from the sizes in double, as PyTorch does when it is given an output size.
AxisTaps make_taps(int64_t n_in, int64_t n_out) {
  AxisTaps t;
  t.lo.resize(n_out);
  t.hi.resize(n_out);
  t.w_lo.resize(n_out);
  t.w_hi.resize(n_out);
  const double scale = static_cast<double>(n_in) / static_cast<double>(n_out);
  for (int64_t j = 0; j < n_out; ++j) {
    const double src = std::max((static_cast<double>(j) + 0.5) * scale - 0.5, 0.0);
    const int64_t i0 = std::min(static_cast<int64_t>(src), n_in - 1);
    const double lambda = src - static_cast<double>(i0);
    t.lo[j] = i0;
    t.hi[j] = std::min(i0 + 1, n_in - 1);
    t.w_lo[j] = 1.0 - lambda;
    t.w_hi[j] = lambda;
  }
  return t;
}

// Transposed taps in CSR form: input i is read by outputs out[offsets[i] .. offsets[i + 1])
// with the matching weights, in increasing output order so sums are reproducible.
struct AxisGather {
  std::vector<int64_t> offsets, out;
  std::vector<double> weight;
};

AxisGather invert_taps(const AxisTaps& t, int64_t n_in) {
  const auto n_out = static_cast<int64_t>(t.lo.size());
  AxisGather g;
  g.offsets.assign(n_in + 1, 0);
  // At the last input lo == hi: merge the two taps so the entry is counted once.
  auto for_each_tap = [&](auto&& emit) {
    for (int64_t j = 0; j < n_out; ++j) {
      if (t.lo[j] == t.hi[j]) {
        emit(t.lo[j], j, t.w_lo[j] + t.w_hi[j]);
        continue;
      }
      if (t.w_lo[j] != 0.0) emit(t.lo[j], j, t.w_lo[j]);
      if (t.w_hi[j] != 0.0) emit(t.hi[j], j, t.w_hi[j]);
    }
  };
  for_each_tap([&](int64_t i, int64_t, double) { ++g.offsets[i + 1]; });
  for (int64_t i = 0; i < n_in; ++i) g.offsets[i + 1] += g.offsets[i];
  g.out.resize(g.offsets[n_in]);
  g.weight.resize(g.offsets[n_in]);
  std::vector<int64_t> next(g.offsets.begin(), g.offsets.end() - 1);
  for_each_tap([&](int64_t i, int64_t j, double w) {
    g.out[next[i]] = j;
    g.weight[next[i]++] = w;
  });
  return g;
}

template <class D>
inline void store(D& dst, double v, bool accumulate) {
  dst = accumulate ? static_cast<D>(dst + v) : static_cast<D>(v);
}

// One forward pass over a [outer, n_in, inner] block producing [outer, n_out, inner].
template <class S, class D>
void interp_axis(const AxisTaps& t, int64_t outer, int64_t n_in, int64_t inner, const S* src, D* dst) {
  const auto n_out = static_cast<int64_t>(t.lo.size());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < n_out; ++j) {
      const S* a = src + (o * n_in + t.lo[j]) * inner;
      const S* b = src + (o * n_in + t.hi[j]) * inner;
      D* d = dst + (o * n_out + j) * inner;
      const double wa = t.w_lo[j], wb = t.w_hi[j];
      for (int64_t k = 0; k < inner; ++k)
        d[k] = static_cast<D>(wa * static_cast<double>(a[k]) + wb * static_cast<double>(b[k]));
    }
  }
}

// The transpose of interp_axis: [outer, n_out, inner] back to [outer, n_in, inner].
template <class S, class D>
void gather_axis(const AxisGather& g, int64_t outer, int64_t n_out, int64_t inner, const S* src, D* dst,
                 bool accumulate) {
  const auto n_in = static_cast<int64_t>(g.offsets.size()) - 1;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < n_in; ++i) {
      D* d = dst + (o * n_in + i) * inner;
      const S* base = src + o * n_out * inner;
      for (int64_t k = 0; k < inner; ++k) {
        double sum = 0.0;
        for (int64_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e)
          sum += g.weight[e] * static_cast<double>(base[g.out[e] * inner + k]);
        store(d[k], sum, accumulate);
      }
    }
  }
}

// Size bound for the per-plane intermediates: any mix of input and output extents.
int64_t scratch_size(const UpsampleGeometry& g) {
  int64_t n = 1;
  for (int a = 0; a < 3; ++a) n *= std::max(g.input[a], g.output[a]);
  return n;
}

}  // namespace

template <class T>
void upsample_linear_forward(const UpsampleGeometry& g, const T* x, T* y) {
  AxisTaps taps[3];
  for (int a = 0; a < 3; ++a) taps[a] = make_taps(g.input[a], g.output[a]);
  // Axes with in == out are exact identities and are skipped; the rest run W, H, D.
  int active[3], n_active = 0;
  for (int a = 2; a >= 0; --a)
    if (g.input[a] != g.output[a]) active[n_active++] = a;
  const int64_t in_vol = volume(g.input), out_vol = volume(g.output);
  const int64_t scratch = scratch_size(g);

#pragma omp parallel
  {
    // Intermediates stay in double so float data is rounded once, at the end.
    std::vector<double> buf[2];
    if (n_active > 1) buf[0].resize(scratch);
    if (n_active > 2) buf[1].resize(scratch);
#pragma omp for schedule(static)
    for (int64_t p = 0; p < g.planes; ++p) {
      const T* xp = x + p * in_vol;
      T* yp = y + p * out_vol;
      if (n_active == 0) {
        std::copy(xp, xp + in_vol, yp);
        continue;
      }
      Extent3 cur = g.input;
      const double* prev = nullptr;
      for (int s = 0; s < n_active; ++s) {
        const int a = active[s];
        int64_t outer = 1, inner = 1;
        for (int b = 0; b < a; ++b) outer *= cur[b];
        for (int b = a + 1; b < 3; ++b) inner *= cur[b];
        const bool last = s == n_active - 1;
        double* next = last ? nullptr : buf[s % 2].data();
        if (s == 0 && last) interp_axis(taps[a], outer, cur[a], inner, xp, yp);
        else if (s == 0) interp_axis(taps[a], outer, cur[a], inner, xp, next);
        else if (last) interp_axis(taps[a], outer, cur[a], inner, prev, yp);
        else interp_axis(taps[a], outer, cur[a], inner, prev, next);
        cur[a] = g.output[a];
        prev = next;
      }
    }
  }
}

template <class T>
void upsample_linear_backward(const UpsampleGeometry& g, const T* dy, T* dx, bool accumulate) {
  AxisGather gathers[3];
  for (int a = 0; a < 3; ++a) gathers[a] = invert_taps(make_taps(g.input[a], g.output[a]), g.input[a]);
  // Transposed passes in reverse forward order: D, H, W.
  int active[3], n_active = 0;
  for (int a = 0; a < 3; ++a)
    if (g.input[a] != g.output[a]) active[n_active++] = a;
  const int64_t in_vol = volume(g.input), out_vol = volume(g.output);
  const int64_t scratch = scratch_size(g);

#pragma omp parallel
  {
    std::vector<double> buf[2];
    if (n_active > 1) buf[0].resize(scratch);
    if (n_active > 2) buf[1].resize(scratch);
#pragma omp for schedule(static)
    for (int64_t p = 0; p < g.planes; ++p) {
      const T* dyp = dy + p * out_vol;
      T* dxp = dx + p * in_vol;
      if (n_active == 0) {
        for (int64_t k = 0; k < in_vol; ++k) store(dxp[k], static_cast<double>(dyp[k]), accumulate);
        continue;
      }
      Extent3 cur = g.output;
      const double* prev = nullptr;
      for (int s = 0; s < n_active; ++s) {
        const int a = active[s];
        int64_t outer = 1, inner = 1;
        for (int b = 0; b < a; ++b) outer *= cur[b];
        for (int b = a + 1; b < 3; ++b) inner *= cur[b];
        const bool last = s == n_active - 1;
        double* next = last ? nullptr : buf[s % 2].data();
        if (s == 0 && last) gather_axis(gathers[a], outer, cur[a], inner, dyp, dxp, accumulate);
        else if (s == 0) gather_axis(gathers[a], outer, cur[a], inner, dyp, next, false);
        else if (last) gather_axis(gathers[a], outer, cur[a], inner, prev, dxp, accumulate);
        else gather_axis(gathers[a], outer, cur[a], inner, prev, next, false);
        cur[a] = g.input[a];
        prev = next;
      }
    }
  }
}

template void upsample_linear_forward<float>(const UpsampleGeometry&, const float*, float*);
template void upsample_linear_forward<double>(const UpsampleGeometry&, const double*, double*);
template void upsample_linear_backward<float>(const UpsampleGeometry&, const float*, float*, bool);
template void upsample_linear_backward<double>(const UpsampleGeometry&, const double*, double*, bool);

}  // namespace revgan::kernels::cpu
