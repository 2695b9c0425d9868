// CUDA linear up-sampling, one thread per output (forward) or input (backward) element. Taps
// are computed on the fly with the CPU twin's double arithmetic, and both directions nest the
// axes in the CPU's pass order (forward W, H, D; backward D, H, W) with double intermediates,
// skipping axes whose size does not change, so the two backends round alike.
#include "kernels/cuda/loops.cuh"
#include "kernels/cuda/upsample.cuh"

namespace revgan::kernels::cuda {

namespace {

struct Axis {
  int64_t in = 1, out = 1;
  double scale = 1.0;  // in / out, from the sizes in double as PyTorch does
  __host__ __device__ bool active() const { return in != out; }
};

struct UpsampleArgs {
  int64_t planes = 1;
  Axis axis[3];  // D, H, W
};

UpsampleArgs make_args(const UpsampleGeometry& g) {
  UpsampleArgs a;
  a.planes = g.planes;
  for (int i = 0; i < 3; ++i)
    a.axis[i] = Axis{g.input[i], g.output[i], static_cast<double>(g.input[i]) / static_cast<double>(g.output[i])};
  return a;
}

// Output j reads input lo with weight w_lo and hi with w_hi.
struct Tap {
  int64_t lo, hi;
  double w_lo, w_hi;
};

__device__ inline Tap tap(const Axis& a, int64_t j) {
  double src = (static_cast<double>(j) + 0.5) * a.scale - 0.5;
  if (src < 0.0) src = 0.0;
  int64_t i0 = static_cast<int64_t>(src);
  if (i0 > a.in - 1) i0 = a.in - 1;
  const double lambda = src - static_cast<double>(i0);
  Tap t;
  t.lo = i0;
  t.hi = i0 + 1 < a.in ? i0 + 1 : a.in - 1;
  t.w_lo = 1.0 - lambda;
  t.w_hi = lambda;
  return t;
}

// Weight with which output j reads input i (0 if it does not), merging the two taps at the
// last input where lo == hi, as the CPU's inverse map does.
__device__ inline double weight(const Axis& a, int64_t j, int64_t i) {
  const Tap t = tap(a, j);
  if (t.lo == t.hi) return t.lo == i ? t.w_lo + t.w_hi : 0.0;
  double w = 0.0;
  if (t.lo == i) w += t.w_lo;
  if (t.hi == i) w += t.w_hi;
  return w;
}

// Outputs [first, last) that may read input i. An output reads i only if floor(src) is i - 1
// or i, i.e. src in [i - 1, i + 1); inverting src = (j + 0.5) * scale - 0.5 and widening by two
// absorbs rounding, and trimming to the outermost nonzero weights keeps the loops short.
struct Range {
  int64_t first, last;
};

__device__ inline Range readers(const Axis& a, int64_t i) {
  const double inv = static_cast<double>(a.out) / static_cast<double>(a.in);
  int64_t first = static_cast<int64_t>(floor((static_cast<double>(i) - 0.5) * inv - 0.5)) - 2;
  int64_t last = static_cast<int64_t>(ceil((static_cast<double>(i) + 1.5) * inv - 0.5)) + 3;
  if (first < 0) first = 0;
  if (last > a.out) last = a.out;
  while (first < last && weight(a, first, i) == 0.0) ++first;
  while (last > first && weight(a, last - 1, i) == 0.0) --last;
  return {first, last};
}

template <class T>
__global__ void upsample_forward_kernel(UpsampleArgs a, const T* x, T* y) {
  const Axis &ad = a.axis[0], &ah = a.axis[1], &aw = a.axis[2];
  const int64_t in_vol = ad.in * ah.in * aw.in;
  const int64_t total = a.planes * ad.out * ah.out * aw.out;
  for (int64_t idx = detail::first_index(); idx < total; idx += detail::grid_stride()) {
    const int64_t jw = idx % aw.out;
    int64_t t = idx / aw.out;
    const int64_t jh = t % ah.out;
    t /= ah.out;
    const int64_t jd = t % ad.out;
    const int64_t p = t / ad.out;
    const T* xp = x + p * in_vol;
    const Tap tw = tap(aw, jw), th = tap(ah, jh), td = tap(ad, jd);
    // W pass: one input row interpolated at jw.
    auto row = [&](int64_t d, int64_t h) -> double {
      const T* r = xp + (d * ah.in + h) * aw.in;
      if (!aw.active()) return static_cast<double>(r[jw]);
      return tw.w_lo * static_cast<double>(r[tw.lo]) + tw.w_hi * static_cast<double>(r[tw.hi]);
    };
    // H pass over W-interpolated rows.
    auto plane = [&](int64_t d) -> double {
      if (!ah.active()) return row(d, jh);
      return th.w_lo * row(d, th.lo) + th.w_hi * row(d, th.hi);
    };
    const double v = ad.active() ? td.w_lo * plane(td.lo) + td.w_hi * plane(td.hi) : plane(jd);
    y[idx] = static_cast<T>(v);
  }
}

template <class T>
__global__ void upsample_backward_kernel(UpsampleArgs a, const T* dy, T* dx, bool accumulate) {
  const Axis &ad = a.axis[0], &ah = a.axis[1], &aw = a.axis[2];
  const int64_t out_vol = ad.out * ah.out * aw.out;
  const int64_t total = a.planes * ad.in * ah.in * aw.in;
  for (int64_t idx = detail::first_index(); idx < total; idx += detail::grid_stride()) {
    const int64_t iw = idx % aw.in;
    int64_t t = idx / aw.in;
    const int64_t ih = t % ah.in;
    t /= ah.in;
    const int64_t id = t % ad.in;
    const int64_t p = t / ad.in;
    const T* dyp = dy + p * out_vol;
    const Range rd = ad.active() ? readers(ad, id) : Range{id, id + 1};
    const Range rh = ah.active() ? readers(ah, ih) : Range{ih, ih + 1};
    const Range rw = aw.active() ? readers(aw, iw) : Range{iw, iw + 1};
    // D gather of dy at (jh, jw): the CPU's first transposed pass.
    auto gather_d = [&](int64_t jh, int64_t jw) -> double {
      if (!ad.active()) return static_cast<double>(dyp[(id * ah.out + jh) * aw.out + jw]);
      double s = 0.0;
      for (int64_t jd = rd.first; jd < rd.last; ++jd) {
        const double w = weight(ad, jd, id);
        if (w != 0.0) s += w * static_cast<double>(dyp[(jd * ah.out + jh) * aw.out + jw]);
      }
      return s;
    };
    // H gather of the D-gathered values at jw.
    auto gather_h = [&](int64_t jw) -> double {
      if (!ah.active()) return gather_d(ih, jw);
      double s = 0.0;
      for (int64_t jh = rh.first; jh < rh.last; ++jh) {
        const double w = weight(ah, jh, ih);
        if (w != 0.0) s += w * gather_d(jh, jw);
      }
      return s;
    };
    double v;
    if (!aw.active()) {
      v = gather_h(iw);
    } else {
      v = 0.0;
      for (int64_t jw = rw.first; jw < rw.last; ++jw) {
        const double w = weight(aw, jw, iw);
        if (w != 0.0) v += w * gather_h(jw);
      }
    }
    dx[idx] = accumulate ? static_cast<T>(dx[idx] + v) : static_cast<T>(v);
  }
}

}  // namespace

template <class T>
cudaError_t upsample_linear_forward(const UpsampleGeometry& g, const T* x, T* y, cudaStream_t stream) {
  const int64_t total = g.planes * volume(g.output);
  if (total <= 0) return cudaSuccess;
  REVGAN_LAUNCH(detail::blocks_for(total), detail::k_threads, 0, stream, upsample_forward_kernel<T>)
  (make_args(g), x, y);
  return cudaGetLastError();
}

template <class T>
cudaError_t upsample_linear_backward(const UpsampleGeometry& g, const T* dy, T* dx, bool accumulate,
                                     cudaStream_t stream) {
  const int64_t total = g.planes * volume(g.input);
  if (total <= 0) return cudaSuccess;
  REVGAN_LAUNCH(detail::blocks_for(total), detail::k_threads, 0, stream, upsample_backward_kernel<T>)
  (make_args(g), dy, dx, accumulate);
  return cudaGetLastError();
}

template cudaError_t upsample_linear_forward<float>(const UpsampleGeometry&, const float*, float*, cudaStream_t);
template cudaError_t upsample_linear_forward<double>(const UpsampleGeometry&, const double*, double*, cudaStream_t);
template cudaError_t upsample_linear_backward<float>(const UpsampleGeometry&, const float*, float*, bool, cudaStream_t);
template cudaError_t upsample_linear_backward<double>(const UpsampleGeometry&, const double*, double*, bool,
                                                      cudaStream_t);

}  // namespace revgan::kernels::cuda
