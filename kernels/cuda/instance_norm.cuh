// CUDA instance norm without affine parameters (twin of kernels/cpu/instance_norm.hpp): one
// block per instance (grid-stride over instances, so any N*C fits), statistics two-pass in
// double with a deterministic block reduction; the backward needs only y and 1/std.
#pragma once

#include <cuda_runtime_api.h>

#include "kernels/common/geometry.hpp"

namespace revgan::kernels::cuda {

// y = (x - mean) * invstd per instance; writes invstd[instances] (and mean if non-null).
template <class T>
cudaError_t instance_norm_forward(const NormGeometry& g, double eps, const T* x, T* y, T* mean, T* invstd,
                                  cudaStream_t stream);

// dx = invstd * (dy - mean(dy) - y * mean(dy * y)). Overwrites unless `accumulate`.
template <class T>
cudaError_t instance_norm_backward(const NormGeometry& g, const T* y, const T* invstd, const T* dy, T* dx,
                                   bool accumulate, cudaStream_t stream);

}  // namespace revgan::kernels::cuda
