// CUDA activations (relu, leaky_relu, tanh, sigmoid) and reciprocal declared in elementwise.cuh; the same
// formulas as kernels/cpu/activation.cpp, backwards from the forward output y.
#include "kernels/cuda/elementwise.cuh"
#include "kernels/cuda/loops.cuh"

namespace revgan::kernels::cuda {

namespace {

using detail::dev_exp;
using detail::dev_fabs;
using detail::dev_tanh;

template <class T>
struct ReluForward {
  const T* x;
  // Written as x < 0 so NaN passes through, as on the CPU and in PyTorch.
  __device__ T operator()(int64_t i) const { return x[i] < T(0) ? T(0) : x[i]; }
};
template <class T>
struct ReluBackward {
  const T *y, *dy;
  __device__ T operator()(int64_t i) const { return y[i] > T(0) ? dy[i] : T(0); }
};
template <class T>
struct LeakyReluForward {
  T slope;
  const T* x;
  __device__ T operator()(int64_t i) const { return x[i] > T(0) ? x[i] : slope * x[i]; }
};
template <class T>
struct LeakyReluBackward {
  T slope;
  const T *y, *dy;
  __device__ T operator()(int64_t i) const { return y[i] > T(0) ? dy[i] : slope * dy[i]; }
};
template <class T>
struct TanhForward {
  const T* x;
  __device__ T operator()(int64_t i) const { return dev_tanh(x[i]); }
};
template <class T>
struct TanhBackward {
  const T *y, *dy;
  __device__ T operator()(int64_t i) const { return dy[i] * (T(1) - y[i] * y[i]); }
};
template <class T>
struct SigmoidForward {
  const T* x;
  // exp of -|x| only, so large |x| never overflows to inf/inf.
  __device__ T operator()(int64_t i) const {
    const T e = dev_exp(-dev_fabs(x[i]));
    return x[i] >= T(0) ? T(1) / (T(1) + e) : e / (T(1) + e);
  }
};
template <class T>
struct SigmoidBackward {
  const T *y, *dy;
  __device__ T operator()(int64_t i) const { return dy[i] * y[i] * (T(1) - y[i]); }
};
template <class T>
struct ReciprocalForward {
  const T* x;
  __device__ T operator()(int64_t i) const { return T(1) / x[i]; }
};
template <class T>
struct ReciprocalBackward {
  const T *y, *dy;
  __device__ T operator()(int64_t i) const { return -dy[i] * y[i] * y[i]; }
};

}  // namespace

template <class T>
cudaError_t relu_forward(int64_t n, const T* x, T* y, cudaStream_t stream) {
  return detail::launch_store(n, y, false, ReluForward<T>{x}, stream);
}
template <class T>
cudaError_t relu_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate, cudaStream_t stream) {
  return detail::launch_store(n, dx, accumulate, ReluBackward<T>{y, dy}, stream);
}
template <class T>
cudaError_t leaky_relu_forward(int64_t n, T slope, const T* x, T* y, cudaStream_t stream) {
  return detail::launch_store(n, y, false, LeakyReluForward<T>{slope, x}, stream);
}
template <class T>
cudaError_t leaky_relu_backward(int64_t n, T slope, const T* y, const T* dy, T* dx, bool accumulate,
                                cudaStream_t stream) {
  return detail::launch_store(n, dx, accumulate, LeakyReluBackward<T>{slope, y, dy}, stream);
}
template <class T>
cudaError_t tanh_forward(int64_t n, const T* x, T* y, cudaStream_t stream) {
  return detail::launch_store(n, y, false, TanhForward<T>{x}, stream);
}
template <class T>
cudaError_t tanh_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate, cudaStream_t stream) {
  return detail::launch_store(n, dx, accumulate, TanhBackward<T>{y, dy}, stream);
}
template <class T>
cudaError_t sigmoid_forward(int64_t n, const T* x, T* y, cudaStream_t stream) {
  return detail::launch_store(n, y, false, SigmoidForward<T>{x}, stream);
}
template <class T>
cudaError_t sigmoid_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate, cudaStream_t stream) {
  return detail::launch_store(n, dx, accumulate, SigmoidBackward<T>{y, dy}, stream);
}
template <class T>
cudaError_t reciprocal_forward(int64_t n, const T* x, T* y, cudaStream_t stream) {
  return detail::launch_store(n, y, false, ReciprocalForward<T>{x}, stream);
}
template <class T>
cudaError_t reciprocal_backward(int64_t n, const T* y, const T* dy, T* dx, bool accumulate, cudaStream_t stream) {
  return detail::launch_store(n, dx, accumulate, ReciprocalBackward<T>{y, dy}, stream);
}

#define REVGAN_INSTANTIATE(T)                                                                          \
  template cudaError_t relu_forward<T>(int64_t, const T*, T*, cudaStream_t);                           \
  template cudaError_t relu_backward<T>(int64_t, const T*, const T*, T*, bool, cudaStream_t);          \
  template cudaError_t leaky_relu_forward<T>(int64_t, T, const T*, T*, cudaStream_t);                  \
  template cudaError_t leaky_relu_backward<T>(int64_t, T, const T*, const T*, T*, bool, cudaStream_t); \
  template cudaError_t tanh_forward<T>(int64_t, const T*, T*, cudaStream_t);                           \
  template cudaError_t tanh_backward<T>(int64_t, const T*, const T*, T*, bool, cudaStream_t);          \
  template cudaError_t sigmoid_forward<T>(int64_t, const T*, T*, cudaStream_t);                        \
  template cudaError_t sigmoid_backward<T>(int64_t, const T*, const T*, T*, bool, cudaStream_t);          \
  template cudaError_t reciprocal_forward<T>(int64_t, const T*, T*, cudaStream_t);                     \
  template cudaError_t reciprocal_backward<T>(int64_t, const T*, const T*, T*, bool, cudaStream_t);
REVGAN_INSTANTIATE(float)
REVGAN_INSTANTIATE(double)
#undef REVGAN_INSTANTIATE

}  // namespace revgan::kernels::cuda
