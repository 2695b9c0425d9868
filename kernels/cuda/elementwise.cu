// CUDA element-wise arithmetic (fill, copy, add, ..., axpy, mul_backward, convert): one functor
// per op fed to the shared grid-stride store kernel of loops.cuh.
#include "kernels/cuda/elementwise.cuh"
#include "kernels/cuda/loops.cuh"

namespace revgan::kernels::cuda {

namespace {

template <class T>
struct FillOp {
  T value;
  __device__ T operator()(int64_t) const { return value; }
};
template <class T>
struct CopyOp {
  const T* x;
  __device__ T operator()(int64_t i) const { return x[i]; }
};
template <class T>
struct AddOp {
  const T *a, *b;
  __device__ T operator()(int64_t i) const { return a[i] + b[i]; }
};
template <class T>
struct SubOp {
  const T *a, *b;
  __device__ T operator()(int64_t i) const { return a[i] - b[i]; }
};
template <class T>
struct MulOp {
  const T *a, *b;
  __device__ T operator()(int64_t i) const { return a[i] * b[i]; }
};
template <class T>
struct ScaleOp {
  T alpha;
  const T* x;
  __device__ T operator()(int64_t i) const { return alpha * x[i]; }
};
template <class T>
struct MulBackwardOp {
  T alpha;
  const T *dy, *b;
  __device__ T operator()(int64_t i) const { return alpha * dy[i] * b[i]; }
};
template <class S, class D>
struct ConvertOp {
  const S* x;
  __device__ D operator()(int64_t i) const { return static_cast<D>(x[i]); }
};

}  // namespace

template <class T>
cudaError_t fill(int64_t n, T value, T* y, cudaStream_t stream) {
  return detail::launch_store(n, y, false, FillOp<T>{value}, stream);
}
template <class T>
cudaError_t copy(int64_t n, const T* x, T* y, cudaStream_t stream) {
  return detail::launch_store(n, y, false, CopyOp<T>{x}, stream);
}
template <class T>
cudaError_t add(int64_t n, const T* a, const T* b, T* y, cudaStream_t stream) {
  return detail::launch_store(n, y, false, AddOp<T>{a, b}, stream);
}
template <class T>
cudaError_t sub(int64_t n, const T* a, const T* b, T* y, cudaStream_t stream) {
  return detail::launch_store(n, y, false, SubOp<T>{a, b}, stream);
}
template <class T>
cudaError_t mul(int64_t n, const T* a, const T* b, T* y, cudaStream_t stream) {
  return detail::launch_store(n, y, false, MulOp<T>{a, b}, stream);
}
template <class T>
cudaError_t scale(int64_t n, T alpha, const T* x, T* y, cudaStream_t stream) {
  return detail::launch_store(n, y, false, ScaleOp<T>{alpha, x}, stream);
}
template <class T>
cudaError_t axpy(int64_t n, T alpha, const T* x, T* y, cudaStream_t stream) {
  return detail::launch_store(n, y, true, ScaleOp<T>{alpha, x}, stream);
}
template <class T>
cudaError_t mul_backward(int64_t n, T alpha, const T* dy, const T* b, T* dx, bool accumulate, cudaStream_t stream) {
  return detail::launch_store(n, dx, accumulate, MulBackwardOp<T>{alpha, dy, b}, stream);
}
template <class S, class D>
cudaError_t convert(int64_t n, const S* x, D* y, cudaStream_t stream) {
  return detail::launch_store(n, y, false, ConvertOp<S, D>{x}, stream);
}

#define REVGAN_INSTANTIATE(T)                                                 \
  template cudaError_t fill<T>(int64_t, T, T*, cudaStream_t);                 \
  template cudaError_t copy<T>(int64_t, const T*, T*, cudaStream_t);          \
  template cudaError_t add<T>(int64_t, const T*, const T*, T*, cudaStream_t); \
  template cudaError_t sub<T>(int64_t, const T*, const T*, T*, cudaStream_t); \
  template cudaError_t mul<T>(int64_t, const T*, const T*, T*, cudaStream_t); \
  template cudaError_t scale<T>(int64_t, T, const T*, T*, cudaStream_t);      \
  template cudaError_t axpy<T>(int64_t, T, const T*, T*, cudaStream_t);       \
  template cudaError_t mul_backward<T>(int64_t, T, const T*, const T*, T*, bool, cudaStream_t);
REVGAN_INSTANTIATE(float)
REVGAN_INSTANTIATE(double)
#undef REVGAN_INSTANTIATE
template cudaError_t convert<float, double>(int64_t, const float*, double*, cudaStream_t);
template cudaError_t convert<double, float>(int64_t, const double*, float*, cudaStream_t);

}  // namespace revgan::kernels::cuda
