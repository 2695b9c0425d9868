// CPU losses (l1, mse, bce, bce_with_logits) from reduce.hpp: forward is the mean over n,
// summed per element in double with the same deterministic blocking as sum.
#include <cmath>

#include "kernels/cpu/loops.hpp"
#include "kernels/cpu/reduce.hpp"

namespace revgan::kernels::cpu {

template <class T> double l1_loss(int64_t n, const T* x, const T* target) {
    return detail::blocked_sum(n, [=](int64_t i) {
        return std::fabs(static_cast<double>(x[i]) - static_cast<double>(target[i]));
    }) / static_cast<double>(n);
}

template <class T> void l1_loss_backward(int64_t n, T g, const T* x, const T* target, T* dx, bool accumulate) {
    const T s = g / static_cast<T>(n);
    detail::store(n, dx, accumulate, [=](int64_t i) {
        const T d = x[i] - target[i];
        return s * static_cast<T>((d > T(0)) - (d < T(0)));
    });
}

template <class T> double mse_loss(int64_t n, const T* x, const T* target) {
    return detail::blocked_sum(n, [=](int64_t i) {
        const double d = static_cast<double>(x[i]) - static_cast<double>(target[i]);
        return d * d;
    }) / static_cast<double>(n);
}

template <class T> void mse_loss_backward(int64_t n, T g, const T* x, const T* target, T* dx, bool accumulate) {
    const T s = T(2) * g / static_cast<T>(n);
    detail::store(n, dx, accumulate, [=](int64_t i) { return s * (x[i] - target[i]); });
}

template <class T> double bce_loss(int64_t n, const T* p, const T* target) {
    // Each log is clamped separately so p = 0 or 1 gives a finite loss (PyTorch's choice).
    return detail::blocked_sum(n, [=](int64_t i) {
        const double pi = static_cast<double>(p[i]);
        const double t = static_cast<double>(target[i]);
        const double log_p = std::fmax(std::log(pi), -100.0);
        const double log_q = std::fmax(std::log1p(-pi), -100.0);
        return -(t * log_p + (1.0 - t) * log_q);
    }) / static_cast<double>(n);
}

template <class T> void bce_loss_backward(int64_t n, T g, const T* p, const T* target, T* dx, bool accumulate) {
    // The 1e-12 floor on p(1-p) keeps p = 0 or 1 finite. PyTorch's floor is the float constant
    // 1e-12f (9.99999996e-13) in every dtype, so float64 matches it only with the f suffix.
    const T s = g / static_cast<T>(n);
    detail::store(n, dx, accumulate, [=](int64_t i) {
        const T denom = std::fmax((T(1) - p[i]) * p[i], T(1e-12f));
        return s * (p[i] - target[i]) / denom;
    });
}

template <class T> double bce_with_logits_loss(int64_t n, const T* z, const T* target) {
    return detail::blocked_sum(n, [=](int64_t i) {
        const double zi = static_cast<double>(z[i]);
        const double t = static_cast<double>(target[i]);
        return std::fmax(zi, 0.0) - zi * t + std::log1p(std::exp(-std::fabs(zi)));
    }) / static_cast<double>(n);
}

template <class T> void bce_with_logits_loss_backward(int64_t n, T g, const T* z, const T* target, T* dx,
                                                      bool accumulate) {
    const T s = g / static_cast<T>(n);
    detail::store(n, dx, accumulate, [=](int64_t i) {
        // exp(-|z|) never overflows, so the sigmoid stays exact at both tails.
        const T e = std::exp(-std::fabs(z[i]));
        const T sig = z[i] >= T(0) ? T(1) / (T(1) + e) : e / (T(1) + e);
        return s * (sig - target[i]);
    });
}

#define REVGAN_INSTANTIATE(T)                                                               \
    template double l1_loss<T>(int64_t, const T*, const T*);                                \
    template void l1_loss_backward<T>(int64_t, T, const T*, const T*, T*, bool);            \
    template double mse_loss<T>(int64_t, const T*, const T*);                               \
    template void mse_loss_backward<T>(int64_t, T, const T*, const T*, T*, bool);           \
    template double bce_loss<T>(int64_t, const T*, const T*);                               \
    template void bce_loss_backward<T>(int64_t, T, const T*, const T*, T*, bool);           \
    template double bce_with_logits_loss<T>(int64_t, const T*, const T*);                   \
    template void bce_with_logits_loss_backward<T>(int64_t, T, const T*, const T*, T*, bool);
REVGAN_INSTANTIATE(float)
REVGAN_INSTANTIATE(double)
#undef REVGAN_INSTANTIATE

}  // namespace revgan::kernels::cpu
