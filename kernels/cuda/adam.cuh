// CUDA Adam update (twin of kernels/cpu/adam.hpp): one fused pass over parameter, gradient and
// both moments, with the bias-corrected scalars computed once per step by the caller.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace revgan::kernels::cuda {

// For each i:  m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;
//              param -= step_size * m / (sqrt(v) / bias_correction2_sqrt + eps)
template <class T>
cudaError_t adam_update(int64_t n, T* param, const T* grad, T* exp_avg, T* exp_avg_sq, T beta1, T beta2, T step_size,
                        T bias_correction2_sqrt, T eps, cudaStream_t stream);

}  // namespace revgan::kernels::cuda
