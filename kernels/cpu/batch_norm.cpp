// CPU batch norm. Statistics are two-pass in double, summed per channel in a fixed order
// (sample by sample, eight interleaved lanes within a plane), so results are deterministic.
#include "kernels/cpu/batch_norm.hpp"
#include "kernels/cpu/loops.hpp"

#include <cmath>

namespace revgan::kernels::cpu {

namespace {

// Sum over one channel of f(v, k) for v = plane pointer offset, in a fixed order: per plane
// eight lanes combined pairwise, planes added one after another.
template <class F>
double channel_sum(const BatchNormGeometry& g, int64_t c, F&& f) {
  double total = 0.0;
  for (int64_t n = 0; n < g.batch; ++n) {
    const int64_t base = (n * g.channels + c) * g.spatial;
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t k = 0;
    for (; k + 8 <= g.spatial; k += 8)
      for (int j = 0; j < 8; ++j) acc[j] += f(base + k + j);
    for (; k < g.spatial; ++k) acc[k & 7] += f(base + k);
    total += ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  }
  return total;
}

}  // namespace

template <class T>
void batch_norm_stats(const BatchNormGeometry& g, double eps, double momentum, const T* x, T* mean, T* invstd,
                      T* running_mean, T* running_var) {
  const int64_t count = g.batch * g.spatial;
  const double inv_n = 1.0 / static_cast<double>(count);
#pragma omp parallel for schedule(static) if (g.batch * g.channels * g.spatial >= detail::k_parallel_min)
  for (int64_t c = 0; c < g.channels; ++c) {
    const double mu = channel_sum(g, c, [x](int64_t i) { return static_cast<double>(x[i]); }) * inv_n;
    const double sq = channel_sum(g, c, [x, mu](int64_t i) {
      const double d = static_cast<double>(x[i]) - mu;
      return d * d;
    });
    mean[c] = static_cast<T>(mu);
    invstd[c] = static_cast<T>(1.0 / std::sqrt(sq * inv_n + eps));
    if (running_mean != nullptr) {
      const double unbiased = count > 1 ? sq / static_cast<double>(count - 1) : sq;
      running_mean[c] = static_cast<T>((1.0 - momentum) * static_cast<double>(running_mean[c]) + momentum * mu);
      running_var[c] = static_cast<T>((1.0 - momentum) * static_cast<double>(running_var[c]) + momentum * unbiased);
    }
  }
}

template <class T>
void batch_norm_invstd(int64_t channels, double eps, const T* var, T* invstd) {
  for (int64_t c = 0; c < channels; ++c) invstd[c] = static_cast<T>(1.0 / std::sqrt(static_cast<double>(var[c]) + eps));
}

template <class T>
void batch_norm_apply(const BatchNormGeometry& g, const T* x, const T* mean, const T* invstd, const T* weight,
                      const T* bias, T* y) {
  const int64_t planes = g.batch * g.channels;
#pragma omp parallel for schedule(static) if (g.batch * g.channels * g.spatial >= detail::k_parallel_min)
  for (int64_t p = 0; p < planes; ++p) {
    const int64_t c = p % g.channels;
    const double scale = static_cast<double>(invstd[c]) * (weight ? static_cast<double>(weight[c]) : 1.0);
    const double shift = (bias ? static_cast<double>(bias[c]) : 0.0) - static_cast<double>(mean[c]) * scale;
    const T* xp = x + p * g.spatial;
    T* yp = y + p * g.spatial;
    for (int64_t k = 0; k < g.spatial; ++k) yp[k] = static_cast<T>(static_cast<double>(xp[k]) * scale + shift);
  }
}

template <class T>
void batch_norm_backward(const BatchNormGeometry& g, bool batch_stats, const T* x, const T* mean, const T* invstd,
                         const T* weight, const T* dy, T* dx, bool accumulate_dx, T* dweight, T* dbias,
                         bool accumulate_params) {
  const double inv_n = 1.0 / static_cast<double>(g.batch * g.spatial);
#pragma omp parallel for schedule(static) if (g.batch * g.channels * g.spatial >= detail::k_parallel_min)
  for (int64_t c = 0; c < g.channels; ++c) {
    const double mu = static_cast<double>(mean[c]);
    const double r = static_cast<double>(invstd[c]);
    const double s_dy = channel_sum(g, c, [dy](int64_t i) { return static_cast<double>(dy[i]); });
    const double s_dyxhat = channel_sum(g, c, [dy, x, mu, r](int64_t i) {
      return static_cast<double>(dy[i]) * ((static_cast<double>(x[i]) - mu) * r);
    });
    if (dweight != nullptr)
      dweight[c] = static_cast<T>((accumulate_params ? static_cast<double>(dweight[c]) : 0.0) + s_dyxhat);
    if (dbias != nullptr) dbias[c] = static_cast<T>((accumulate_params ? static_cast<double>(dbias[c]) : 0.0) + s_dy);
    if (dx == nullptr) continue;
    const double wr = r * (weight ? static_cast<double>(weight[c]) : 1.0);
    const double m_dy = batch_stats ? s_dy * inv_n : 0.0;
    const double m_dyxhat = batch_stats ? s_dyxhat * inv_n : 0.0;
    for (int64_t n = 0; n < g.batch; ++n) {
      const int64_t base = (n * g.channels + c) * g.spatial;
      for (int64_t k = 0; k < g.spatial; ++k) {
        const int64_t i = base + k;
        const double xhat = (static_cast<double>(x[i]) - mu) * r;
        const double v = wr * (static_cast<double>(dy[i]) - m_dy - xhat * m_dyxhat);
        dx[i] = accumulate_dx ? static_cast<T>(dx[i] + v) : static_cast<T>(v);
      }
    }
  }
}

#define REVGAN_BATCH_NORM_INSTANTIATE(T)                                                                             \
  template void batch_norm_stats<T>(const BatchNormGeometry&, double, double, const T*, T*, T*, T*, T*);             \
  template void batch_norm_invstd<T>(int64_t, double, const T*, T*);                                                 \
  template void batch_norm_apply<T>(const BatchNormGeometry&, const T*, const T*, const T*, const T*, const T*, T*); \
  template void batch_norm_backward<T>(const BatchNormGeometry&, bool, const T*, const T*, const T*, const T*,       \
                                       const T*, T*, bool, T*, T*, bool);
REVGAN_BATCH_NORM_INSTANTIATE(float)
REVGAN_BATCH_NORM_INSTANTIATE(double)
#undef REVGAN_BATCH_NORM_INSTANTIATE

}  // namespace revgan::kernels::cpu
