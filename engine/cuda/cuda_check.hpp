// The CUDA side of the CHECK macro family: every runtime, cuBLAS and cuDNN status is checked.
#pragma once

#include <cuda_runtime_api.h>

#include "engine/core/check.hpp"

#define REVGAN_CUDA_CHECK(expr)                                                                      \
  do {                                                                                               \
    cudaError_t revgan_status_ = (expr);                                                             \
    if (revgan_status_ != cudaSuccess) [[unlikely]] {                                                \
      throw ::revgan::Error(__FILE__, __LINE__, #expr,                                               \
                            ::fmt::format("CUDA error {}: {}", cudaGetErrorName(revgan_status_),     \
                                          cudaGetErrorString(revgan_status_)));                      \
    }                                                                                                \
  } while (0)
