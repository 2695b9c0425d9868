// CUDA reflection and replication padding, 2D and 3D (twin of kernels/cpu/pad.hpp). The
// backward is a gather: each input element sums, in a fixed order, the output elements that
// were copied from it, so it needs no atomics and is deterministic.
#pragma once

#include <cuda_runtime_api.h>

#include "kernels/common/geometry.hpp"

namespace revgan::kernels::cuda {

template <class T>
cudaError_t pad_forward(const PadGeometry& g, PadMode mode, const T* x, T* y, cudaStream_t stream);

// dx[planes, input...] from dy[planes, output...]. Overwrites unless `accumulate`.
template <class T>
cudaError_t pad_backward(const PadGeometry& g, PadMode mode, const T* dy, T* dx, bool accumulate, cudaStream_t stream);

}  // namespace revgan::kernels::cuda
