// CPU Adam update on raw buffers (PyTorch's non-AMSGrad Adam without weight decay). The
// caller computes the bias-corrected scalars once per step so the loop is pure arithmetic.
#pragma once

#include <cstdint>

namespace revgan::kernels::cpu {

// For each i:  m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;
//              param -= step_size * m / (sqrt(v) / bias_correction2_sqrt + eps)
// with step_size = lr / (1 - beta1^t) and bias_correction2_sqrt = sqrt(1 - beta2^t).
template <class T>
void adam_update(int64_t n, T* param, const T* grad, T* exp_avg, T* exp_avg_sq, T beta1, T beta2, T step_size,
                 T bias_correction2_sqrt, T eps);

}  // namespace revgan::kernels::cpu
