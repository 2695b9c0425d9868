// CUDA sum and its gradient (broadcast_scalar) from reduce.cuh.
#include "kernels/cuda/reduce.cuh"
#include "kernels/cuda/reduce_impl.cuh"

namespace revgan::kernels::cuda {

namespace {

template <class T>
struct AsDouble {
  const T* x;
  __device__ double operator()(int64_t i) const { return static_cast<double>(x[i]); }
};

// Every thread reads g[0] itself: the upstream scalar lives on the device.
template <class T>
struct ScalarOver {
  const T* g;
  double divisor;
  __device__ T operator()(int64_t) const { return static_cast<T>(static_cast<double>(g[0]) / divisor); }
};

}  // namespace

int64_t reduce_workspace_elements() {
  return detail::k_reduce_blocks;
}

template <class T>
cudaError_t sum(int64_t n, const T* x, double divisor, T* out, double* workspace, cudaStream_t stream) {
  return detail::reduce_sum(n, AsDouble<T>{x}, divisor, out, workspace, stream);
}

template <class T>
cudaError_t broadcast_scalar(int64_t n, const T* g, double divisor, T* dx, bool accumulate, cudaStream_t stream) {
  return detail::launch_store(n, dx, accumulate, ScalarOver<T>{g, divisor}, stream);
}

template cudaError_t sum<float>(int64_t, const float*, double, float*, double*, cudaStream_t);
template cudaError_t sum<double>(int64_t, const double*, double, double*, double*, cudaStream_t);
template cudaError_t broadcast_scalar<float>(int64_t, const float*, double, float*, bool, cudaStream_t);
template cudaError_t broadcast_scalar<double>(int64_t, const double*, double, double*, bool, cudaStream_t);

}  // namespace revgan::kernels::cuda
