// im2col / col2im, the GEMM wrapper and the bias helpers behind the CPU conv and
// transposed-conv kernels. They run serially on the rows, channels or columns given: the
// kernels split the work across their own thread team (thread_team.hpp), each thread owning
// disjoint rows or planes, so results are deterministic and need no atomics.
#include "kernels/cpu/im2col.hpp"
#include "kernels/cpu/loops.hpp"

#include <cblas.h>
#include <omp.h>
#ifdef REVGAN_WITH_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#endif

#include <algorithm>
#include <type_traits>
#include <vector>

namespace revgan::kernels::cpu::detail {

namespace {

// Output positions o in [lo, hi) whose source index o * stride + offset lies inside
// [0, in); everything outside reads the zero padding.
struct Span {
  int64_t lo;
  int64_t hi;
};

Span valid_span(int64_t offset, int64_t stride, int64_t in, int64_t out) {
  int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t hi = in - 1 - offset < 0 ? 0 : (in - 1 - offset) / stride + 1;
  hi = std::min(hi, out);
  lo = std::min(lo, hi);
  return {lo, hi};
}

// One kernel tap (kd, kh, kw): the per-axis offsets into the image and the valid spans.
struct Tap {
  int64_t off_d, off_h, off_w;
  Span d, h, w;
};

Tap make_tap(const ColShape& s, int64_t t) {
  const int64_t kh_kw = s.kernel[1] * s.kernel[2];
  const int64_t kd = t / kh_kw;
  const int64_t kh = (t / s.kernel[2]) % s.kernel[1];
  const int64_t kw = t % s.kernel[2];
  Tap tap;
  tap.off_d = kd - s.padding[0];
  tap.off_h = kh - s.padding[1];
  tap.off_w = kw - s.padding[2];
  tap.d = valid_span(tap.off_d, s.stride[0], s.image[0], s.cols[0]);
  tap.h = valid_span(tap.off_h, s.stride[1], s.image[1], s.cols[1]);
  tap.w = valid_span(tap.off_w, s.stride[2], s.image[2], s.cols[2]);
  return tap;
}

// Every tap of the kernel, in column-matrix row order: each channel repeats them, so the
// unfolding and folding work them out once per call.
std::vector<Tap> kernel_taps(const ColShape& s) {
  std::vector<Tap> taps;
  taps.reserve(static_cast<std::size_t>(volume(s.kernel)));
  for (int64_t t = 0; t < volume(s.kernel); ++t) taps.push_back(make_tap(s, t));
  return taps;
}

// Writes one full column-matrix row, padding included, so the workspace never needs a
// separate zero-fill.
template <class T>
void im2col_row(const ColShape& s, const Tap& tap, const T* plane, T* dst) {
  const int64_t ih = s.image[1], iw = s.image[2];
  const int64_t od_n = s.cols[0], oh_n = s.cols[1], ow_n = s.cols[2];
  const int64_t sd = s.stride[0], sh = s.stride[1], sw = s.stride[2];
  const int64_t slab = oh_n * ow_n;
  const Span w = tap.w;

  std::fill_n(dst, tap.d.lo * slab, T(0));
  for (int64_t od = tap.d.lo; od < tap.d.hi; ++od) {
    const T* src_d = plane + (od * sd + tap.off_d) * ih * iw;
    T* out_d = dst + od * slab;
    std::fill_n(out_d, tap.h.lo * ow_n, T(0));
    for (int64_t oh = tap.h.lo; oh < tap.h.hi; ++oh) {
      const T* src = src_d + (oh * sh + tap.off_h) * iw;
      T* out = out_d + oh * ow_n;
      std::fill_n(out, w.lo, T(0));
      if (sw == 1) {
        std::copy_n(src + w.lo + tap.off_w, w.hi - w.lo, out + w.lo);
      } else {
        for (int64_t ow = w.lo; ow < w.hi; ++ow) out[ow] = src[ow * sw + tap.off_w];
      }
      std::fill_n(out + w.hi, ow_n - w.hi, T(0));
    }
    std::fill_n(out_d + tap.h.hi * ow_n, (oh_n - tap.h.hi) * ow_n, T(0));
  }
  std::fill_n(dst + tap.d.hi * slab, (od_n - tap.d.hi) * slab, T(0));
}

// Scatter-adds one column-matrix row back onto its channel plane.
template <class T>
void col2im_row(const ColShape& s, const Tap& tap, const T* src_row, T* plane) {
  const int64_t ih = s.image[1], iw = s.image[2];
  const int64_t oh_n = s.cols[1], ow_n = s.cols[2];
  const int64_t sd = s.stride[0], sh = s.stride[1], sw = s.stride[2];
  const Span w = tap.w;
  const int64_t count = w.hi - w.lo;
  if (count <= 0) return;

  for (int64_t od = tap.d.lo; od < tap.d.hi; ++od) {
    T* dst_d = plane + (od * sd + tap.off_d) * ih * iw;
    for (int64_t oh = tap.h.lo; oh < tap.h.hi; ++oh) {
      T* dst = dst_d + (oh * sh + tap.off_h) * iw;
      const T* src = src_row + (od * oh_n + oh) * ow_n;
      if (sw == 1) {
        T* __restrict d = dst + w.lo + tap.off_w;
        const T* __restrict x = src + w.lo;
#pragma omp simd
        for (int64_t i = 0; i < count; ++i) d[i] += x[i];
      } else {
        for (int64_t ow = w.lo; ow < w.hi; ++ow) dst[ow * sw + tap.off_w] += src[ow];
      }
    }
  }
}

int64_t plane_stride(const ColShape& s) { return s.plane_stride > 0 ? s.plane_stride : volume(s.image); }

// The tiled axis: D for volumes (bands keep whole H x W planes), H for images (D == 1).
int tiled_axis(const ColShape& s) { return (s.cols[0] > 1 || s.image[0] > 1) ? 0 : 1; }

}  // namespace

int64_t col_slabs(const ColShape& s) { return s.cols[static_cast<std::size_t>(tiled_axis(s))]; }

int64_t slabs_per_tile(const ColShape& s, int64_t max_elements) {
  const int64_t per_slab = col_rows(s) * (volume(s.cols) / col_slabs(s));
  return std::clamp<int64_t>(max_elements / std::max<int64_t>(per_slab, 1), 1, col_slabs(s));
}

ColTile col_tile(const ColShape& s, int64_t first_slab, int64_t slab_count) {
  const auto a = static_cast<std::size_t>(tiled_axis(s));
  const int64_t stride = s.stride[a], pad = s.padding[a], in = s.image[a];
  // The band reads no image row before first * stride - pad; rows after it need no clipping
  // (the band's taps stop short of them, and the image's end stays where it is).
  const int64_t begin = std::clamp<int64_t>(first_slab * stride - pad, 0, in - 1);
  ColTile t;
  t.shape = s;
  t.shape.plane_stride = plane_stride(s);
  t.shape.cols[a] = slab_count;
  t.shape.image[a] = in - begin;
  // Band row o reads image row begin + o * stride + tap - pad', which must be
  // (first + o) * stride + tap - pad.
  t.shape.padding[a] = pad + begin - first_slab * stride;
  int64_t row_elements = 1;  // elements per image row along the tiled axis
  for (std::size_t i = a + 1; i < 3; ++i) row_elements *= s.image[i];
  t.image_offset = begin * row_elements;
  t.col_offset = first_slab * (volume(s.cols) / s.cols[a]);
  return t;
}

template <class T>
void im2col_rows(const ColShape& s, const T* image, T* col, int64_t ld, int64_t row_begin, int64_t row_end) {
  const int64_t kvol = volume(s.kernel);
  const int64_t ivol = plane_stride(s);
  const std::vector<Tap> taps = kernel_taps(s);
  for (int64_t r = row_begin; r < row_end; ++r) {
    im2col_row(s, taps[static_cast<std::size_t>(r % kvol)], image + (r / kvol) * ivol, col + r * ld);
  }
}

template <class T>
void col2im_channels(const ColShape& s, const T* col, int64_t ld, T* image, int64_t channel_begin, int64_t channel_end,
                     bool accumulate) {
  const int64_t kvol = volume(s.kernel);
  const int64_t ivol = plane_stride(s);
  // All taps of a channel land on that channel's plane only.
  const std::vector<Tap> taps = kernel_taps(s);
  for (int64_t c = channel_begin; c < channel_end; ++c) {
    T* plane = image + c * ivol;
    if (!accumulate) std::fill_n(plane, volume(s.image), T(0));
    for (int64_t t = 0; t < kvol; ++t) {
      col2im_row(s, taps[static_cast<std::size_t>(t)], col + (c * kvol + t) * ld, plane);
    }
  }
}

namespace {

// The GEMMs run on OpenBLAS, except the float forward's chunked reduction where the build has
// oneDNN: that runs on oneDNN's sgemm, whose JIT kernels follow the CPU (AVX-512 on AMD Zen 5,
// where OpenBLAS 0.3.21 falls back to its Haswell kernels; 1.4-2.2x OpenBLAS's rate there at
// these shapes, docs/benchmarks.md). The other GEMMs stay on OpenBLAS: with oneDNN's sgemm in
// all of them, the test that 2 MPI ranks at batch 1 train like one process at batch 2 failed
// (outputs 3.4e-5 apart after two steps, limit 1e-5).
//
// Neither library threads a GEMM itself: the kernels' own teams are the parallelism
// (thread_team.hpp). Inside a team both run serially; a GEMM called outside one (a conv with a
// single chunk, such as a 1x1 conv's weight gradient) they would split across
// omp_get_max_threads() threads, and OpenBLAS's bits then depended on the thread count (seen on
// Zen 5). Both follow the caller's OpenMP thread count on every call (openblas_set_num_threads
// does not stick in OpenBLAS's OpenMP build), so that count is 1 for the call and put back
// after it.
class SerialGemm {
 public:
  SerialGemm() : saved_(omp_in_parallel() ? 1 : omp_get_max_threads()) {
    if (saved_ > 1) omp_set_num_threads(1);
  }
  ~SerialGemm() {
    if (saved_ > 1) omp_set_num_threads(saved_);
  }
  SerialGemm(const SerialGemm&) = delete;
  SerialGemm& operator=(const SerialGemm&) = delete;

 private:
  int saved_;
};

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
          const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
          int64_t ldc) {
  const SerialGemm serial;
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<blasint>(m),
              static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c,
              static_cast<blasint>(ldc));
}

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
          const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
          int64_t ldc) {
  const SerialGemm serial;
  cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<blasint>(m),
              static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c,
              static_cast<blasint>(ldc));
}

template <class T>
void gemm_chunked_reduction(int64_t m, int64_t n, int64_t k, const T* a, const T* b, int64_t ldb, T beta, T* c,
                            int64_t ldc) {
  for (int64_t k0 = 0; k0 < k; k0 += gemm_reduction_chunk) {
    const int64_t kc = std::min(gemm_reduction_chunk, k - k0);
    const T beta_here = k0 == 0 ? beta : T(1);
#ifdef REVGAN_WITH_ONEDNN
    if constexpr (std::is_same_v<T, float>) {
      const SerialGemm serial;
      if (dnnl_sgemm('N', 'N', m, n, kc, 1.0f, a + k0, k, b + k0 * ldb, ldb, beta_here, c, ldc) == dnnl_success)
        continue;
    }
#endif
    gemm(false, false, m, n, kc, T(1), a + k0, k, b + k0 * ldb, ldb, beta_here, c, ldc);
  }
}

template <class T>
void fill_channel_bias(const T* bias, int64_t channels, int64_t spatial, int64_t col_begin, int64_t col_end, T* out) {
  for (int64_t c = 0; c < channels; ++c) std::fill_n(out + c * spatial + col_begin, col_end - col_begin, bias[c]);
}

template <class T>
void channel_sum(const T* x, int64_t batch, int64_t channels, int64_t spatial, T* out,
                 bool accumulate) {
#pragma omp parallel for schedule(static) if (batch * channels * spatial >= k_parallel_min)
  for (int64_t c = 0; c < channels; ++c) {
    double total = 0.0;
    for (int64_t n = 0; n < batch; ++n) {
      const T* p = x + (n * channels + c) * spatial;
      // Four independent partial sums break the add dependency chain; the combine
      // order is fixed, so the result does not depend on the thread count.
      double part[4] = {0.0, 0.0, 0.0, 0.0};
      int64_t i = 0;
      for (; i + 4 <= spatial; i += 4) {
        part[0] += p[i];
        part[1] += p[i + 1];
        part[2] += p[i + 2];
        part[3] += p[i + 3];
      }
      for (; i < spatial; ++i) part[0] += p[i];
      total += (part[0] + part[1]) + (part[2] + part[3]);
    }
    out[c] = accumulate ? static_cast<T>(static_cast<double>(out[c]) + total)
                        : static_cast<T>(total);
  }
}

template void im2col_rows<float>(const ColShape&, const float*, float*, int64_t, int64_t, int64_t);
template void im2col_rows<double>(const ColShape&, const double*, double*, int64_t, int64_t, int64_t);
template void col2im_channels<float>(const ColShape&, const float*, int64_t, float*, int64_t, int64_t, bool);
template void col2im_channels<double>(const ColShape&, const double*, int64_t, double*, int64_t, int64_t, bool);
template void gemm_chunked_reduction<float>(int64_t, int64_t, int64_t, const float*, const float*, int64_t, float,
                                             float*, int64_t);
template void gemm_chunked_reduction<double>(int64_t, int64_t, int64_t, const double*, const double*, int64_t,
                                              double, double*, int64_t);
template void fill_channel_bias<float>(const float*, int64_t, int64_t, int64_t, int64_t, float*);
template void fill_channel_bias<double>(const double*, int64_t, int64_t, int64_t, int64_t, double*);
template void channel_sum<float>(const float*, int64_t, int64_t, int64_t, float*, bool);
template void channel_sum<double>(const double*, int64_t, int64_t, int64_t, double*, bool);

}  // namespace revgan::kernels::cpu::detail
