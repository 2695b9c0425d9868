// CUDA losses (l1, mse, bce, bce_with_logits) from reduce.cuh: the same per-element formulas
// as kernels/cpu/loss.cpp, forward summed in double by the deterministic two-stage reduction.
#include "kernels/cuda/reduce.cuh"
#include "kernels/cuda/reduce_impl.cuh"

namespace revgan::kernels::cuda {

namespace {

using detail::dev_exp;
using detail::dev_fabs;
using detail::dev_fmax;

template <class T>
struct L1Term {
  const T *x, *t;
  __device__ double operator()(int64_t i) const { return fabs(static_cast<double>(x[i]) - static_cast<double>(t[i])); }
};
template <class T>
struct MseTerm {
  const T *x, *t;
  __device__ double operator()(int64_t i) const {
    const double d = static_cast<double>(x[i]) - static_cast<double>(t[i]);
    return d * d;
  }
};
template <class T>
struct BceTerm {
  const T *p, *t;
  // Each log is clamped separately so p = 0 or 1 gives a finite loss (PyTorch's choice).
  __device__ double operator()(int64_t i) const {
    const double pi = static_cast<double>(p[i]);
    const double ti = static_cast<double>(t[i]);
    const double log_p = fmax(log(pi), -100.0);
    const double log_q = fmax(log1p(-pi), -100.0);
    return -(ti * log_p + (1.0 - ti) * log_q);
  }
};
template <class T>
struct BceWithLogitsTerm {
  const T *z, *t;
  __device__ double operator()(int64_t i) const {
    const double zi = static_cast<double>(z[i]);
    const double ti = static_cast<double>(t[i]);
    return fmax(zi, 0.0) - zi * ti + log1p(exp(-fabs(zi)));
  }
};

// The backwards: s = g[0] / n in T, as the CPU twins compute it from their g argument.
template <class T>
__device__ inline T mean_scale(const T* g, int64_t n) {
  return g[0] / static_cast<T>(n);
}

template <class T>
struct L1Grad {
  int64_t n;
  const T *g, *x, *t;
  __device__ T operator()(int64_t i) const {
    const T d = x[i] - t[i];
    return mean_scale(g, n) * static_cast<T>((d > T(0)) - (d < T(0)));
  }
};
template <class T>
struct MseGrad {
  int64_t n;
  const T *g, *x, *t;
  __device__ T operator()(int64_t i) const { return T(2) * g[0] / static_cast<T>(n) * (x[i] - t[i]); }
};
template <class T>
struct BceGrad {
  int64_t n;
  const T *g, *p, *t;
  // The floor is PyTorch's float constant 1e-12f in every dtype (see kernels/cpu/loss.cpp).
  __device__ T operator()(int64_t i) const {
    const T denom = dev_fmax((T(1) - p[i]) * p[i], T(1e-12f));
    return mean_scale(g, n) * (p[i] - t[i]) / denom;
  }
};
template <class T>
struct BceWithLogitsGrad {
  int64_t n;
  const T *g, *z, *t;
  __device__ T operator()(int64_t i) const {
    // exp(-|z|) never overflows, so the sigmoid stays exact at both tails.
    const T e = dev_exp(-dev_fabs(z[i]));
    const T sig = z[i] >= T(0) ? T(1) / (T(1) + e) : e / (T(1) + e);
    return mean_scale(g, n) * (sig - t[i]);
  }
};

}  // namespace

template <class T>
cudaError_t l1_loss(int64_t n, const T* x, const T* target, T* out, double* workspace, cudaStream_t stream) {
  return detail::reduce_sum(n, L1Term<T>{x, target}, static_cast<double>(n), out, workspace, stream);
}
template <class T>
cudaError_t l1_loss_backward(int64_t n, const T* g, const T* x, const T* target, T* dx, bool accumulate,
                             cudaStream_t stream) {
  return detail::launch_store(n, dx, accumulate, L1Grad<T>{n, g, x, target}, stream);
}
template <class T>
cudaError_t mse_loss(int64_t n, const T* x, const T* target, T* out, double* workspace, cudaStream_t stream) {
  return detail::reduce_sum(n, MseTerm<T>{x, target}, static_cast<double>(n), out, workspace, stream);
}
template <class T>
cudaError_t mse_loss_backward(int64_t n, const T* g, const T* x, const T* target, T* dx, bool accumulate,
                              cudaStream_t stream) {
  return detail::launch_store(n, dx, accumulate, MseGrad<T>{n, g, x, target}, stream);
}
template <class T>
cudaError_t bce_loss(int64_t n, const T* p, const T* target, T* out, double* workspace, cudaStream_t stream) {
  return detail::reduce_sum(n, BceTerm<T>{p, target}, static_cast<double>(n), out, workspace, stream);
}
template <class T>
cudaError_t bce_loss_backward(int64_t n, const T* g, const T* p, const T* target, T* dx, bool accumulate,
                              cudaStream_t stream) {
  return detail::launch_store(n, dx, accumulate, BceGrad<T>{n, g, p, target}, stream);
}
template <class T>
cudaError_t bce_with_logits_loss(int64_t n, const T* z, const T* target, T* out, double* workspace,
                                 cudaStream_t stream) {
  return detail::reduce_sum(n, BceWithLogitsTerm<T>{z, target}, static_cast<double>(n), out, workspace, stream);
}
template <class T>
cudaError_t bce_with_logits_loss_backward(int64_t n, const T* g, const T* z, const T* target, T* dx, bool accumulate,
                                          cudaStream_t stream) {
  return detail::launch_store(n, dx, accumulate, BceWithLogitsGrad<T>{n, g, z, target}, stream);
}

#define REVGAN_INSTANTIATE(T)                                                                               \
  template cudaError_t l1_loss<T>(int64_t, const T*, const T*, T*, double*, cudaStream_t);                  \
  template cudaError_t l1_loss_backward<T>(int64_t, const T*, const T*, const T*, T*, bool, cudaStream_t);  \
  template cudaError_t mse_loss<T>(int64_t, const T*, const T*, T*, double*, cudaStream_t);                 \
  template cudaError_t mse_loss_backward<T>(int64_t, const T*, const T*, const T*, T*, bool, cudaStream_t); \
  template cudaError_t bce_loss<T>(int64_t, const T*, const T*, T*, double*, cudaStream_t);                 \
  template cudaError_t bce_loss_backward<T>(int64_t, const T*, const T*, const T*, T*, bool, cudaStream_t); \
  template cudaError_t bce_with_logits_loss<T>(int64_t, const T*, const T*, T*, double*, cudaStream_t);     \
  template cudaError_t bce_with_logits_loss_backward<T>(int64_t, const T*, const T*, const T*, T*, bool, cudaStream_t);
REVGAN_INSTANTIATE(float)
REVGAN_INSTANTIATE(double)
#undef REVGAN_INSTANTIATE

}  // namespace revgan::kernels::cuda
