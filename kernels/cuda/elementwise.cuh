// CUDA element-wise arithmetic and activations (twins of kernels/cpu/elementwise.hpp), plus a
// dtype conversion for Tensor::to(DType). Each call launches on `stream` and returns the launch
// status for the engine to check; activation backwards read the forward output y only.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace revgan::kernels::cuda {

template <class T>
cudaError_t fill(int64_t n, T value, T* y, cudaStream_t stream);
template <class T>
cudaError_t copy(int64_t n, const T* x, T* y, cudaStream_t stream);
template <class T>
cudaError_t add(int64_t n, const T* a, const T* b, T* y, cudaStream_t stream);
template <class T>
cudaError_t sub(int64_t n, const T* a, const T* b, T* y, cudaStream_t stream);
template <class T>
cudaError_t mul(int64_t n, const T* a, const T* b, T* y, cudaStream_t stream);
template <class T>
cudaError_t scale(int64_t n, T alpha, const T* x, T* y, cudaStream_t stream);
// y += alpha * x (gradient accumulation).
template <class T>
cudaError_t axpy(int64_t n, T alpha, const T* x, T* y, cudaStream_t stream);
// dx = (or +=) alpha * dy * b.
template <class T>
cudaError_t mul_backward(int64_t n, T alpha, const T* dy, const T* b, T* dx, bool accumulate, cudaStream_t stream);
// y = static_cast<D>(x), element by element.
template <class S, class D>
cudaError_t convert(int64_t n, const S* x, D* y, cudaStream_t stream);

template <class T>
cudaError_t relu_forward(int64_t n, const T* x, T* y, cudaStream_t stream);
template <class T>
cudaError_t relu_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate, cudaStream_t stream);
// slope > 0 (checked by the op), so sign(y) == sign(x).
template <class T>
cudaError_t leaky_relu_forward(int64_t n, T slope, const T* x, T* y, cudaStream_t stream);
template <class T>
cudaError_t leaky_relu_backward(int64_t n, T slope, const T* y, const T* dy, T* dx, bool accumulate,
                                cudaStream_t stream);
template <class T>
cudaError_t tanh_forward(int64_t n, const T* x, T* y, cudaStream_t stream);
template <class T>
cudaError_t tanh_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate, cudaStream_t stream);
template <class T>
cudaError_t sigmoid_forward(int64_t n, const T* x, T* y, cudaStream_t stream);
template <class T>
cudaError_t sigmoid_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate, cudaStream_t stream);
// y = 1 / x; dx = -dy y^2.
template <class T>
cudaError_t reciprocal_forward(int64_t n, const T* x, T* y, cudaStream_t stream);
template <class T>
cudaError_t reciprocal_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate, cudaStream_t stream);

}  // namespace revgan::kernels::cuda
