// CPU element-wise arithmetic and activations on n contiguous elements. Activation
// backwards are written in terms of the forward OUTPUT y, so ops only need to save y.
// Every function that writes a gradient takes `accumulate` (false: overwrite).
#pragma once

#include <cstdint>

namespace revgan::kernels::cpu {

template <class T> void fill(int64_t n, T value, T* y);
template <class T> void copy(int64_t n, const T* x, T* y);
template <class T> void add(int64_t n, const T* a, const T* b, T* y);
template <class T> void sub(int64_t n, const T* a, const T* b, T* y);
template <class T> void mul(int64_t n, const T* a, const T* b, T* y);
template <class T> void scale(int64_t n, T alpha, const T* x, T* y);
// y += alpha * x (gradient accumulation).
template <class T> void axpy(int64_t n, T alpha, const T* x, T* y);
// dx = (or +=) alpha * dy * b: the gradient of a product with respect to one factor.
template <class T> void mul_backward(int64_t n, T alpha, const T* dy, const T* b, T* dx, bool accumulate);
// y = static_cast<D>(x), element by element (Tensor::to(DType)).
template <class S, class D> void convert(int64_t n, const S* x, D* y);

template <class T> void relu_forward(int64_t n, const T* x, T* y);
template <class T> void relu_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate);
// slope > 0 assumed (checked by the op), so sign(y) == sign(x).
template <class T> void leaky_relu_forward(int64_t n, T slope, const T* x, T* y);
template <class T> void leaky_relu_backward(int64_t n, T slope, const T* y, const T* dy, T* dx, bool accumulate);
template <class T> void tanh_forward(int64_t n, const T* x, T* y);
template <class T> void tanh_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate);
template <class T> void sigmoid_forward(int64_t n, const T* x, T* y);
template <class T> void sigmoid_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate);
// y = 1 / x; dx = -dy y^2 (from the output, like tanh and sigmoid).
template <class T> void reciprocal_forward(int64_t n, const T* x, T* y);
template <class T> void reciprocal_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate);

}  // namespace revgan::kernels::cpu
