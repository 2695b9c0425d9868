// CUDA reflection / replication padding. Forward: one thread per output element maps each
// coordinate to its source. Backward: one thread per input element walks, per axis, the output
// coordinates that copy from it (at most three singletons for reflection, a run at the edges
// for replication) in increasing order, summing in double like the CPU twin.
#include "kernels/cuda/loops.cuh"
#include "kernels/cuda/pad.cuh"

namespace revgan::kernels::cuda {

namespace {

struct Axis {
  int64_t in = 1, out = 1, before = 0;
};

struct PadArgs {
  int64_t planes = 1;
  Axis axis[3];  // D, H, W
  bool reflect = true;
};

PadArgs make_args(const PadGeometry& g, PadMode mode) {
  PadArgs a;
  a.planes = g.planes;
  for (int i = 0; i < 3; ++i) a.axis[i] = Axis{g.input[i], g.output[i], g.pad_before[i]};
  a.reflect = mode == PadMode::reflect;
  return a;
}

// Input coordinate that output coordinate o copies from. Reflection folds once: the op checks
// pad < size, so one fold always lands inside.
__device__ inline int64_t source(const Axis& a, int64_t o, bool reflect) {
  int64_t i = o - a.before;
  if (reflect) {
    if (i < 0) i = -i;
    if (i >= a.in) i = 2 * (a.in - 1) - i;
  } else {
    if (i < 0) i = 0;
    if (i >= a.in) i = a.in - 1;
  }
  return i;
}

// The output coordinates copied from input coordinate i, as up to three half-open runs in
// increasing order.
struct Runs {
  int64_t lo[3], hi[3];
  int count = 0;
  __device__ void add(int64_t l, int64_t h) {
    lo[count] = l;
    hi[count] = h;
    ++count;
  }
};

__device__ inline Runs targets(const Axis& a, int64_t i, bool reflect) {
  Runs r;
  const int64_t n = a.in;
  const int64_t after = a.out - a.in - a.before;
  if (reflect) {
    // Folded from the leading pad: o = before - i reads -(o - before) = i.
    if (i > 0 && i <= a.before) r.add(a.before - i, a.before - i + 1);
    r.add(i + a.before, i + a.before + 1);
    // Folded from the trailing pad: o - before = 2(n - 1) - i, inside the output iff i >= n - 1 - after.
    if (i < n - 1 && i >= n - 1 - after) {
      const int64_t o = a.before + 2 * (n - 1) - i;
      r.add(o, o + 1);
    }
  } else if (n == 1) {
    r.add(0, a.out);
  } else if (i == 0) {
    r.add(0, a.before + 1);
  } else if (i == n - 1) {
    r.add(n - 1 + a.before, a.out);
  } else {
    r.add(i + a.before, i + a.before + 1);
  }
  return r;
}

template <class T>
__global__ void pad_forward_kernel(PadArgs a, const T* x, T* y) {
  const Axis &ad = a.axis[0], &ah = a.axis[1], &aw = a.axis[2];
  const int64_t out_vol = ad.out * ah.out * aw.out;
  const int64_t in_vol = ad.in * ah.in * aw.in;
  const int64_t total = a.planes * out_vol;
  for (int64_t idx = detail::first_index(); idx < total; idx += detail::grid_stride()) {
    const int64_t ow = idx % aw.out;
    int64_t t = idx / aw.out;
    const int64_t oh = t % ah.out;
    t /= ah.out;
    const int64_t od = t % ad.out;
    const int64_t p = t / ad.out;
    const int64_t src = p * in_vol + (source(ad, od, a.reflect) * ah.in + source(ah, oh, a.reflect)) * aw.in +
                        source(aw, ow, a.reflect);
    y[idx] = x[src];
  }
}

template <class T>
__global__ void pad_backward_kernel(PadArgs a, const T* dy, T* dx, bool accumulate) {
  const Axis &ad = a.axis[0], &ah = a.axis[1], &aw = a.axis[2];
  const int64_t out_hw = ah.out * aw.out;
  const int64_t out_vol = ad.out * out_hw;
  const int64_t in_vol = ad.in * ah.in * aw.in;
  const int64_t total = a.planes * in_vol;
  for (int64_t idx = detail::first_index(); idx < total; idx += detail::grid_stride()) {
    const int64_t w = idx % aw.in;
    int64_t t = idx / aw.in;
    const int64_t h = t % ah.in;
    t /= ah.in;
    const int64_t d = t % ad.in;
    const int64_t p = t / ad.in;
    const Runs rd = targets(ad, d, a.reflect);
    const Runs rh = targets(ah, h, a.reflect);
    const Runs rw = targets(aw, w, a.reflect);
    const T* plane = dy + p * out_vol;
    // Edge elements of replication padding can collect many copies: sum in double.
    double sum = 0.0;
    for (int i = 0; i < rd.count; ++i)
      for (int64_t od = rd.lo[i]; od < rd.hi[i]; ++od)
        for (int j = 0; j < rh.count; ++j)
          for (int64_t oh = rh.lo[j]; oh < rh.hi[j]; ++oh) {
            const T* row = plane + od * out_hw + oh * aw.out;
            for (int k = 0; k < rw.count; ++k)
              for (int64_t ow = rw.lo[k]; ow < rw.hi[k]; ++ow) sum += static_cast<double>(row[ow]);
          }
    dx[idx] = accumulate ? static_cast<T>(dx[idx] + sum) : static_cast<T>(sum);
  }
}

}  // namespace

template <class T>
cudaError_t pad_forward(const PadGeometry& g, PadMode mode, const T* x, T* y, cudaStream_t stream) {
  const int64_t total = g.planes * volume(g.output);
  if (total <= 0) return cudaSuccess;
  REVGAN_LAUNCH(detail::blocks_for(total), detail::k_threads, 0, stream, pad_forward_kernel<T>)
  (make_args(g, mode), x, y);
  return cudaGetLastError();
}

template <class T>
cudaError_t pad_backward(const PadGeometry& g, PadMode mode, const T* dy, T* dx, bool accumulate, cudaStream_t stream) {
  const int64_t total = g.planes * volume(g.input);
  if (total <= 0) return cudaSuccess;
  REVGAN_LAUNCH(detail::blocks_for(total), detail::k_threads, 0, stream, pad_backward_kernel<T>)
  (make_args(g, mode), dy, dx, accumulate);
  return cudaGetLastError();
}

template cudaError_t pad_forward<float>(const PadGeometry&, PadMode, const float*, float*, cudaStream_t);
template cudaError_t pad_forward<double>(const PadGeometry&, PadMode, const double*, double*, cudaStream_t);
template cudaError_t pad_backward<float>(const PadGeometry&, PadMode, const float*, float*, bool, cudaStream_t);
template cudaError_t pad_backward<double>(const PadGeometry&, PadMode, const double*, double*, bool, cudaStream_t);

}  // namespace revgan::kernels::cuda
