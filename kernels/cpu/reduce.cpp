// CPU sum and its gradient (broadcast_scalar) from reduce.hpp; deterministic blocked sum.
#include "kernels/cpu/reduce.hpp"

#include "kernels/cpu/loops.hpp"

namespace revgan::kernels::cpu {

template <class T> double sum(int64_t n, const T* x) {
    return detail::blocked_sum(n, [=](int64_t i) { return static_cast<double>(x[i]); });
}

template <class T> void broadcast_scalar(int64_t n, T g, T* dx, bool accumulate) {
    detail::store(n, dx, accumulate, [=](int64_t) { return g; });
}

template double sum<float>(int64_t, const float*);
template double sum<double>(int64_t, const double*);
template void broadcast_scalar<float>(int64_t, float, float*, bool);
template void broadcast_scalar<double>(int64_t, double, double*, bool);

}  // namespace revgan::kernels::cpu
