// CUDA batch norm (twin of kernels/cpu/batch_norm.hpp): one block per channel (grid-stride over
// channels), statistics two-pass in double with the deterministic block reduction, no atomics.
#pragma once

#include <cuda_runtime_api.h>

#include "kernels/common/geometry.hpp"

namespace revgan::kernels::cuda {

template <class T>
cudaError_t batch_norm_stats(const BatchNormGeometry& g, double eps, double momentum, const T* x, T* mean, T* invstd,
                             T* running_mean, T* running_var, cudaStream_t stream);

template <class T>
cudaError_t batch_norm_invstd(int64_t channels, double eps, const T* var, T* invstd, cudaStream_t stream);

template <class T>
cudaError_t batch_norm_apply(const BatchNormGeometry& g, const T* x, const T* mean, const T* invstd, const T* weight,
                             const T* bias, T* y, cudaStream_t stream);

template <class T>
cudaError_t batch_norm_backward(const BatchNormGeometry& g, bool batch_stats, const T* x, const T* mean,
                                const T* invstd, const T* weight, const T* dy, T* dx, bool accumulate_dx, T* dweight,
                                T* dbias, bool accumulate_params, cudaStream_t stream);

}  // namespace revgan::kernels::cuda
