// CUDA Adam update: elements are independent, one grid-stride loop reads and writes each of
// the four buffers once.
#include "kernels/cuda/adam.cuh"
#include "kernels/cuda/loops.cuh"

namespace revgan::kernels::cuda {

namespace {

template <class T>
__global__ void adam_kernel(int64_t n, T* param, const T* grad, T* exp_avg, T* exp_avg_sq, T beta1, T beta2,
                            T step_size, T bias_correction2_sqrt, T eps) {
  const T one_minus_beta1 = T(1) - beta1;
  const T one_minus_beta2 = T(1) - beta2;
  for (int64_t i = detail::first_index(); i < n; i += detail::grid_stride()) {
    const T g = grad[i];
    const T m = beta1 * exp_avg[i] + one_minus_beta1 * g;
    const T v = beta2 * exp_avg_sq[i] + one_minus_beta2 * g * g;
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    param[i] -= step_size * m / (detail::dev_sqrt(v) / bias_correction2_sqrt + eps);
  }
}

}  // namespace

template <class T>
cudaError_t adam_update(int64_t n, T* param, const T* grad, T* exp_avg, T* exp_avg_sq, T beta1, T beta2, T step_size,
                        T bias_correction2_sqrt, T eps, cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  REVGAN_LAUNCH(detail::blocks_for(n), detail::k_threads, 0, stream, adam_kernel<T>)
  (n, param, grad, exp_avg, exp_avg_sq, beta1, beta2, step_size, bias_correction2_sqrt, eps);
  return cudaGetLastError();
}

template cudaError_t adam_update<float>(int64_t, float*, const float*, float*, float*, float, float, float, float,
                                        float, cudaStream_t);
template cudaError_t adam_update<double>(int64_t, double*, const double*, double*, double*, double, double, double,
                                         double, double, cudaStream_t);

}  // namespace revgan::kernels::cuda
