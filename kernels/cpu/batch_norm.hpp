// CPU batch norm: per-channel statistics over batch and spatial axes (biased variance for
// normalising, unbiased for the running variance, as PyTorch), optional affine weight/bias.
#pragma once

#include "kernels/common/geometry.hpp"

namespace revgan::kernels::cpu {

// Batch statistics: mean[c] and invstd[c] = 1 / sqrt(var_biased + eps). When running_mean is
// non-null, also running = (1 - momentum) * running + momentum * batch (unbiased variance).
template <class T>
void batch_norm_stats(const BatchNormGeometry& g, double eps, double momentum, const T* x, T* mean, T* invstd,
                      T* running_mean, T* running_var);

// invstd[c] = 1 / sqrt(var[c] + eps), for eval mode from the running variance.
template <class T>
void batch_norm_invstd(int64_t channels, double eps, const T* var, T* invstd);

// y = (x - mean[c]) * invstd[c] * weight[c] + bias[c]; weight / bias may be null (1 / 0).
template <class T>
void batch_norm_apply(const BatchNormGeometry& g, const T* x, const T* mean, const T* invstd, const T* weight,
                      const T* bias, T* y);

// Gradients from dy and the saved x, mean, invstd. With `batch_stats` (training mode) mean and
// invstd depend on x: dx = w * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)); otherwise
// dx = w * invstd * dy. dweight = sum(dy * xhat), dbias = sum(dy). Null outputs are skipped;
// each overwrites unless its accumulate flag is set.
template <class T>
void batch_norm_backward(const BatchNormGeometry& g, bool batch_stats, const T* x, const T* mean, const T* invstd,
                         const T* weight, const T* dy, T* dx, bool accumulate_dx, T* dweight, T* dbias,
                         bool accumulate_params);

}  // namespace revgan::kernels::cpu
