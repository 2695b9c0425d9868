// CPU instance norm (no affine, biased variance). Statistics are two-pass in double so
// float inputs with a large mean do not lose the variance to cancellation.
#include "kernels/cpu/instance_norm.hpp"
#include "kernels/cpu/loops.hpp"

#include <cmath>

namespace revgan::kernels::cpu {

namespace {

// Sum of f(k), k in [0, n), in double over eight interleaved partial sums combined pairwise:
// a fixed order (deterministic, independent of threads), and independent lanes the compiler
// can vectorise where one running sum would serialise every addition.
template <class F>
double lane_sum(int64_t n, F&& f) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t k = 0;
  for (; k + 8 <= n; k += 8)
    for (int j = 0; j < 8; ++j) acc[j] += f(k + j);
  for (; k < n; ++k) acc[k & 7] += f(k);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

}  // namespace

template <class T>
void instance_norm_forward(const NormGeometry& g, double eps, const T* x, T* y, T* mean, T* invstd) {
  const int64_t n = g.spatial;
  const double inv_n = 1.0 / static_cast<double>(n);
#pragma omp parallel for schedule(static) if (g.instances * n >= detail::k_parallel_min)
  for (int64_t i = 0; i < g.instances; ++i) {
    const T* xi = x + i * n;
    T* yi = y + i * n;
    const double mu = lane_sum(n, [xi](int64_t k) { return static_cast<double>(xi[k]); }) * inv_n;
    const double sq = lane_sum(n, [xi, mu](int64_t k) {
      const double c = static_cast<double>(xi[k]) - mu;
      return c * c;
    });
    const double rstd = 1.0 / std::sqrt(sq * inv_n + eps);
    for (int64_t k = 0; k < n; ++k) yi[k] = static_cast<T>((static_cast<double>(xi[k]) - mu) * rstd);
    invstd[i] = static_cast<T>(rstd);
    if (mean != nullptr) mean[i] = static_cast<T>(mu);
  }
}

template <class T>
void instance_norm_backward(const NormGeometry& g, const T* y, const T* invstd, const T* dy, T* dx,
                            bool accumulate) {
  const int64_t n = g.spatial;
  const double inv_n = 1.0 / static_cast<double>(n);
#pragma omp parallel for schedule(static) if (g.instances * n >= detail::k_parallel_min)
  for (int64_t i = 0; i < g.instances; ++i) {
    const T* yi = y + i * n;
    const T* dyi = dy + i * n;
    T* dxi = dx + i * n;
    const double s_dy = lane_sum(n, [dyi](int64_t k) { return static_cast<double>(dyi[k]); });
    const double s_dyy =
        lane_sum(n, [dyi, yi](int64_t k) { return static_cast<double>(dyi[k]) * static_cast<double>(yi[k]); });
    const double m_dy = s_dy * inv_n, m_dyy = s_dyy * inv_n;
    const double r = static_cast<double>(invstd[i]);
    for (int64_t k = 0; k < n; ++k) {
      const double v = r * (static_cast<double>(dyi[k]) - m_dy - static_cast<double>(yi[k]) * m_dyy);
      dxi[k] = accumulate ? static_cast<T>(dxi[k] + v) : static_cast<T>(v);
    }
  }
}

template void instance_norm_forward<float>(const NormGeometry&, double, const float*, float*, float*, float*);
template void instance_norm_forward<double>(const NormGeometry&, double, const double*, double*, double*, double*);
template void instance_norm_backward<float>(const NormGeometry&, const float*, const float*, const float*, float*,
                                            bool);
template void instance_norm_backward<double>(const NormGeometry&, const double*, const double*, const double*,
                                             double*, bool);

}  // namespace revgan::kernels::cpu
