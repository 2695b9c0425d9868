// CUDA dropout through the shared counter-based mask (kernels/common/dropout_mask.hpp).
#include "kernels/cuda/dropout.cuh"
#include "kernels/cuda/loops.cuh"

namespace revgan::kernels::cuda {

namespace {

template <class T>
struct DropoutOp {
  DropoutMask mask;
  const T* x;
  __device__ T operator()(int64_t i) const {
    return dropout_keeps(mask, i) ? static_cast<T>(x[i] * static_cast<T>(mask.scale)) : T(0);
  }
};

}  // namespace

template <class T>
cudaError_t dropout_apply(int64_t n, const DropoutMask& mask, const T* x, T* y, bool accumulate, cudaStream_t stream) {
  return detail::launch_store(n, y, accumulate, DropoutOp<T>{mask, x}, stream);
}

template cudaError_t dropout_apply<float>(int64_t, const DropoutMask&, const float*, float*, bool, cudaStream_t);
template cudaError_t dropout_apply<double>(int64_t, const DropoutMask&, const double*, double*, bool, cudaStream_t);

}  // namespace revgan::kernels::cuda
