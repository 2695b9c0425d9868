// CPU element-wise arithmetic (fill, copy, add, ..., axpy, mul_backward, convert) from elementwise.hpp.
#include "kernels/cpu/elementwise.hpp"

#include "kernels/cpu/loops.hpp"

namespace revgan::kernels::cpu {

template <class T> void fill(int64_t n, T value, T* y) {
    detail::store(n, y, false, [=](int64_t) { return value; });
}

template <class T> void copy(int64_t n, const T* x, T* y) {
    detail::store(n, y, false, [=](int64_t i) { return x[i]; });
}

template <class T> void add(int64_t n, const T* a, const T* b, T* y) {
    detail::store(n, y, false, [=](int64_t i) { return a[i] + b[i]; });
}

template <class T> void sub(int64_t n, const T* a, const T* b, T* y) {
    detail::store(n, y, false, [=](int64_t i) { return a[i] - b[i]; });
}

template <class T> void mul(int64_t n, const T* a, const T* b, T* y) {
    detail::store(n, y, false, [=](int64_t i) { return a[i] * b[i]; });
}

template <class T> void scale(int64_t n, T alpha, const T* x, T* y) {
    detail::store(n, y, false, [=](int64_t i) { return alpha * x[i]; });
}

template <class T> void axpy(int64_t n, T alpha, const T* x, T* y) {
    detail::store(n, y, true, [=](int64_t i) { return alpha * x[i]; });
}

template <class T> void mul_backward(int64_t n, T alpha, const T* dy, const T* b, T* dx, bool accumulate) {
    detail::store(n, dx, accumulate, [=](int64_t i) { return alpha * dy[i] * b[i]; });
}

template <class S, class D> void convert(int64_t n, const S* x, D* y) {
    detail::store(n, y, false, [=](int64_t i) { return static_cast<D>(x[i]); });
}

#define REVGAN_INSTANTIATE(T)                                                          \
    template void fill<T>(int64_t, T, T*);                                             \
    template void copy<T>(int64_t, const T*, T*);                                      \
    template void add<T>(int64_t, const T*, const T*, T*);                             \
    template void sub<T>(int64_t, const T*, const T*, T*);                             \
    template void mul<T>(int64_t, const T*, const T*, T*);                             \
    template void scale<T>(int64_t, T, const T*, T*);                                  \
    template void axpy<T>(int64_t, T, const T*, T*);                                   \
    template void mul_backward<T>(int64_t, T, const T*, const T*, T*, bool);
REVGAN_INSTANTIATE(float)
REVGAN_INSTANTIATE(double)
#undef REVGAN_INSTANTIATE
template void convert<float, double>(int64_t, const float*, double*);
template void convert<double, float>(int64_t, const double*, float*);

}  // namespace revgan::kernels::cpu
