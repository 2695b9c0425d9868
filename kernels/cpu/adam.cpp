// CPU Adam update (see adam.hpp). Elements are independent, so any thread split gives
// bitwise identical results.
#include "kernels/cpu/adam.hpp"

#include <cmath>

#include "kernels/cpu/loops.hpp"

namespace revgan::kernels::cpu {

template <class T>
void adam_update(int64_t n, T* param, const T* grad, T* exp_avg, T* exp_avg_sq, T beta1, T beta2, T step_size,
                 T bias_correction2_sqrt, T eps) {
    const T one_minus_beta1 = T(1) - beta1;
    const T one_minus_beta2 = T(1) - beta2;
#pragma omp parallel for simd if (n >= detail::k_parallel_min)
    for (int64_t i = 0; i < n; ++i) {
        const T g = grad[i];
        const T m = beta1 * exp_avg[i] + one_minus_beta1 * g;
        const T v = beta2 * exp_avg_sq[i] + one_minus_beta2 * g * g;
        exp_avg[i] = m;
        exp_avg_sq[i] = v;
        param[i] -= step_size * m / (std::sqrt(v) / bias_correction2_sqrt + eps);
    }
}

#define REVGAN_INSTANTIATE(T) \
    template void adam_update<T>(int64_t, T*, const T*, T*, T*, T, T, T, T, T);
REVGAN_INSTANTIATE(float)
REVGAN_INSTANTIATE(double)
#undef REVGAN_INSTANTIATE

}  // namespace revgan::kernels::cpu
