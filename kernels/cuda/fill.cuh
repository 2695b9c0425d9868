// CUDA fill kernel (twin of kernels/cpu/elementwise.hpp fill): the first CUDA source, so the
// CUDA build path is exercised from the start.
#pragma once

#include <cstdint>

#include <cuda_runtime_api.h>

namespace revgan::kernels::cuda {

template <class T>
cudaError_t fill(int64_t n, T value, T* y, cudaStream_t stream);

}  // namespace revgan::kernels::cuda
