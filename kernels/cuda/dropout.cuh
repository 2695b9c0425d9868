// CUDA dropout (twin of kernels/cpu/dropout.hpp): the same counter-based mask, a flat
// grid-stride loop with 64-bit indices.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/common/dropout_mask.hpp"

namespace revgan::kernels::cuda {

template <class T>
cudaError_t dropout_apply(int64_t n, const DropoutMask& mask, const T* x, T* y, bool accumulate, cudaStream_t stream);

}  // namespace revgan::kernels::cuda
