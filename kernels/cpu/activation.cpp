// CPU activations (relu, leaky_relu, tanh, sigmoid) and reciprocal from elementwise.hpp; backwards use
// the forward output y only (relu and leaky_relu only its sign, so the input x serves too).
#include <cmath>

#include "kernels/cpu/elementwise.hpp"
#include "kernels/cpu/loops.hpp"

namespace revgan::kernels::cpu {

template <class T> void relu_forward(int64_t n, const T* x, T* y) {
    // Written as x < 0 so NaN passes through, as in PyTorch.
    detail::store(n, y, false, [=](int64_t i) { return x[i] < T(0) ? T(0) : x[i]; });
}

template <class T> void relu_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate) {
    // Both loads happen unconditionally, so the select vectorises (a guarded load would not).
    detail::store(n, dx, accumulate, [=](int64_t i) {
        const T g = dy[i];
        return y[i] > T(0) ? g : T(0);
    });
}

namespace {
// v where `keep`, else -0: the additive identity of every float (x + -0 == x for x = +0 and NaN
// too), so a value split into two such parts sums back to itself bit for bit.
template <class T> T keep_or_negative_zero(bool keep, T v) { return keep ? v : T(-0.0); }
}  // namespace

template <class T> void leaky_relu_forward(int64_t n, T slope, const T* x, T* y) {
    // x > 0 ? x : slope * x, as a sum of its two parts so that it vectorises: written with the
    // multiply in one branch, GCC keeps a branch, and that branch mispredicts on signed data.
    // NaN and both signed zeros come out as the branch form gives them (tests pin the bits).
    detail::store(n, y, false, [=](int64_t i) {
        const T v = x[i];
        return keep_or_negative_zero(!(v < T(0)), v) + slope * keep_or_negative_zero(!(v > T(0)), v);
    });
}

template <class T> void leaky_relu_backward(int64_t n, T slope, const T* y, const T* dy, T* dx, bool accumulate) {
    // y > 0 ? dy : slope * dy, branch-free as in the forward.
    detail::store(n, dx, accumulate, [=](int64_t i) {
        const bool positive = y[i] > T(0);
        const T g = dy[i];
        return keep_or_negative_zero(positive, g) + slope * keep_or_negative_zero(!positive, g);
    });
}

template <class T> void tanh_forward(int64_t n, const T* x, T* y) {
    detail::store(n, y, false, [=](int64_t i) { return std::tanh(x[i]); });
}

template <class T> void tanh_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate) {
    detail::store(n, dx, accumulate, [=](int64_t i) { return dy[i] * (T(1) - y[i] * y[i]); });
}

template <class T> void sigmoid_forward(int64_t n, const T* x, T* y) {
    // exp of -|x| only, so large |x| never overflows to inf/inf.
    detail::store(n, y, false, [=](int64_t i) {
        const T e = std::exp(-std::fabs(x[i]));
        return x[i] >= T(0) ? T(1) / (T(1) + e) : e / (T(1) + e);
    });
}

template <class T> void sigmoid_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate) {
    detail::store(n, dx, accumulate, [=](int64_t i) { return dy[i] * y[i] * (T(1) - y[i]); });
}

template <class T> void reciprocal_forward(int64_t n, const T* x, T* y) {
    detail::store(n, y, false, [=](int64_t i) { return T(1) / x[i]; });
}

template <class T> void reciprocal_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate) {
    detail::store(n, dx, accumulate, [=](int64_t i) { return -dy[i] * y[i] * y[i]; });
}

#define REVGAN_INSTANTIATE(T)                                                          \
    template void relu_forward<T>(int64_t, const T*, T*);                              \
    template void relu_backward<T>(int64_t, const T*, const T*, T*, bool);             \
    template void leaky_relu_forward<T>(int64_t, T, const T*, T*);                     \
    template void leaky_relu_backward<T>(int64_t, T, const T*, const T*, T*, bool);    \
    template void tanh_forward<T>(int64_t, const T*, T*);                              \
    template void tanh_backward<T>(int64_t, const T*, const T*, T*, bool);             \
    template void sigmoid_forward<T>(int64_t, const T*, T*);                           \
    template void sigmoid_backward<T>(int64_t, const T*, const T*, T*, bool);          \
    template void reciprocal_forward<T>(int64_t, const T*, T*);                        \
    template void reciprocal_backward<T>(int64_t, const T*, const T*, T*, bool);
REVGAN_INSTANTIATE(float)
REVGAN_INSTANTIATE(double)
#undef REVGAN_INSTANTIATE

}  // namespace revgan::kernels::cpu
