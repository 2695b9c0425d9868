// The CUDA side of the CHECK macro family: every runtime, cuBLAS and cuDNN status is checked
// and turned into a revgan::Error naming the call, the status and the library's message;
// REVGAN_LIBRARY_CHECK does the same for the LibraryStatus of a library-backed kernel.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include "engine/core/check.hpp"
#include "engine/cuda/library_context.hpp"

#define REVGAN_CUDA_CHECK(expr)                                                                                      \
  do {                                                                                                               \
    cudaError_t revgan_status_ = (expr);                                                                             \
    if (revgan_status_ != cudaSuccess) [[unlikely]] {                                                                \
      throw ::revgan::Error(                                                                                         \
          __FILE__, __LINE__, #expr,                                                                                 \
          ::fmt::format("CUDA error {}: {}", cudaGetErrorName(revgan_status_), cudaGetErrorString(revgan_status_))); \
    }                                                                                                                \
  } while (0)

#define REVGAN_CUBLAS_CHECK(expr)                                                                     \
  do {                                                                                                \
    cublasStatus_t revgan_status_ = (expr);                                                           \
    if (revgan_status_ != CUBLAS_STATUS_SUCCESS) [[unlikely]] {                                       \
      throw ::revgan::Error(__FILE__, __LINE__, #expr,                                                \
                            ::fmt::format("cuBLAS error {}: {}", cublasGetStatusName(revgan_status_), \
                                          cublasGetStatusString(revgan_status_)));                    \
    }                                                                                                 \
  } while (0)

#define REVGAN_CUDNN_CHECK(expr)                                                                                       \
  do {                                                                                                                 \
    cudnnStatus_t revgan_status_ = (expr);                                                                             \
    if (revgan_status_ != CUDNN_STATUS_SUCCESS) [[unlikely]] {                                                         \
      throw ::revgan::Error(                                                                                           \
          __FILE__, __LINE__, #expr,                                                                                   \
          ::fmt::format("cuDNN error {}: {}", static_cast<int>(revgan_status_), cudnnGetErrorString(revgan_status_))); \
    }                                                                                                                  \
  } while (0)

// Checks the LibraryStatus a library-backed kernel (kernels/cuda/library.hpp) returns.
#define REVGAN_LIBRARY_CHECK(expr)                                                                  \
  do {                                                                                              \
    const ::revgan::kernels::cuda::LibraryStatus revgan_status_ = (expr);                           \
    if (!revgan_status_.ok()) [[unlikely]] {                                                        \
      throw ::revgan::Error(__FILE__, __LINE__, #expr, ::revgan::cuda::describe(revgan_status_));   \
    }                                                                                               \
  } while (0)
