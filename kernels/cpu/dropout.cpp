// CPU dropout through the shared counter-based mask (kernels/common/dropout_mask.hpp).
#include "kernels/cpu/dropout.hpp"
#include "kernels/cpu/loops.hpp"

namespace revgan::kernels::cpu {

template <class T>
void dropout_apply(int64_t n, const DropoutMask& mask, const T* x, T* y, bool accumulate) {
  const T scale = static_cast<T>(mask.scale);
#pragma omp parallel for schedule(static) if (n >= detail::k_parallel_min)
  for (int64_t i = 0; i < n; ++i) {
    const T v = dropout_keeps(mask, i) ? static_cast<T>(x[i] * scale) : T(0);
    y[i] = accumulate ? static_cast<T>(y[i] + v) : v;
  }
}

template void dropout_apply<float>(int64_t, const DropoutMask&, const float*, float*, bool);
template void dropout_apply<double>(int64_t, const DropoutMask&, const double*, double*, bool);

}  // namespace revgan::kernels::cpu
