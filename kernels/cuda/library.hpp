// What the library-backed CUDA kernels (cuDNN convolution, cuBLAS GEMMs) are handed by the
// runtime layer, and how they report failure. Like every file in kernels/cuda they include no
// engine header: the engine builds the context (engine/cuda/library_context.hpp) and turns a
// failed LibraryStatus into its error (REVGAN_LIBRARY_CHECK in engine/cuda/cuda_check.hpp).
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace revgan::kernels::cuda {

struct LibraryContext {
  int device = 0;
  cudaStream_t stream = nullptr;  // the handles below are bound to it
  cublasHandle_t cublas = nullptr;
  cudnnHandle_t cudnn = nullptr;
  // Device scratch of at least `bytes`, held until the returned pointer is released. Releasing
  // it while queued work still uses it is safe: the allocator reuses memory in stream order.
  std::function<std::shared_ptr<void>(std::size_t bytes)> scratch;
  // cuDNN algorithm choice (kernels/cuda/conv.cpp): false takes the heuristics' first eligible
  // algorithm; true prefers one whose workspace is no larger than the conv's largest operand.
  bool lean_conv_workspace = false;
};

// Success, or the library call that failed with its status code, or a request the library
// cannot serve (with the reason, naming the geometry).
struct LibraryStatus {
  enum class Library { none, cuda, cublas, cudnn, unsupported };
  Library library = Library::none;
  int code = 0;
  std::string what;  // the failing call, or the reason
  bool ok() const { return library == Library::none; }
  static LibraryStatus unsupported(std::string reason) { return {Library::unsupported, 0, std::move(reason)}; }
};

}  // namespace revgan::kernels::cuda

// Return the status of a failing call from the enclosing function (which returns LibraryStatus).
#define REVGAN_TRY_CUDA(expr)                                                                              \
  do {                                                                                                     \
    if (const cudaError_t revgan_e_ = (expr); revgan_e_ != cudaSuccess)                                    \
      return ::revgan::kernels::cuda::LibraryStatus{::revgan::kernels::cuda::LibraryStatus::Library::cuda, \
                                                    static_cast<int>(revgan_e_), #expr};                   \
  } while (0)
#define REVGAN_TRY_CUBLAS(expr)                                                                              \
  do {                                                                                                       \
    if (const cublasStatus_t revgan_s_ = (expr); revgan_s_ != CUBLAS_STATUS_SUCCESS)                         \
      return ::revgan::kernels::cuda::LibraryStatus{::revgan::kernels::cuda::LibraryStatus::Library::cublas, \
                                                    static_cast<int>(revgan_s_), #expr};                     \
  } while (0)
#define REVGAN_TRY_CUDNN(expr)                                                                              \
  do {                                                                                                      \
    if (const cudnnStatus_t revgan_s_ = (expr); revgan_s_ != CUDNN_STATUS_SUCCESS)                          \
      return ::revgan::kernels::cuda::LibraryStatus{::revgan::kernels::cuda::LibraryStatus::Library::cudnn, \
                                                    static_cast<int>(revgan_s_), #expr};                    \
  } while (0)
#define REVGAN_TRY(status_expr)                                                                                 \
  do {                                                                                                          \
    if (::revgan::kernels::cuda::LibraryStatus revgan_st_ = (status_expr); !revgan_st_.ok()) return revgan_st_; \
  } while (0)
