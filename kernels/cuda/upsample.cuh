// CUDA linear up-sampling (bilinear 2D, trilinear 3D), align_corners=False (twin of
// kernels/cpu/upsample.hpp). The backward is a gather over the outputs that read each input.
#pragma once

#include <cuda_runtime_api.h>

#include "kernels/common/geometry.hpp"

namespace revgan::kernels::cuda {

template <class T>
cudaError_t upsample_linear_forward(const UpsampleGeometry& g, const T* x, T* y, cudaStream_t stream);

template <class T>
cudaError_t upsample_linear_backward(const UpsampleGeometry& g, const T* dy, T* dx, bool accumulate,
                                     cudaStream_t stream);

}  // namespace revgan::kernels::cuda
