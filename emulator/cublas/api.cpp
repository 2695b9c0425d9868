// The emulated cuBLAS API: handle state, argument validation as cuBLAS documents it (negative
// sizes, leading dimensions below their minimum, unknown operations, null scalars), checks that
// every matrix lies in device memory of the handle's device, and the GEMMs queued on the
// handle's stream. Unsupported modes are refused with CUBLAS_STATUS_NOT_SUPPORTED.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>

#include "cublas_v2.h"
#include "emulator/cublas/gemm.hpp"
#include "emulator/runtime/config.hpp"
#include "emulator/runtime/device_memory.hpp"
#include "emulator/runtime/streams.hpp"

struct cublasContext {
  int device = 0;
  cudaStream_t stream = nullptr;
  cublasMath_t math = CUBLAS_DEFAULT_MATH;
  cublasAtomicsMode_t atomics = CUBLAS_ATOMICS_NOT_ALLOWED;
};

namespace {

using namespace revgan::emu;

struct LastStatus {
  cublasStatus_t status = CUBLAS_STATUS_SUCCESS;
  std::string detail;
};
thread_local LastStatus tl_status;

cublasStatus_t fail(cublasStatus_t status, std::string detail) {
  tl_status.status = status;
  tl_status.detail = "revgan cuBLAS emulator: " + detail;
  return status;
}

std::map<const void*, std::unique_ptr<cublasContext>>& handles() {
  static auto* h = new std::map<const void*, std::unique_ptr<cublasContext>>();
  return *h;
}

cublasStatus_t check_handle(cublasHandle_t handle, const char* api) {
  std::lock_guard lock(state_mutex());
  if (handles().count(handle) == 0)
    return fail(CUBLAS_STATUS_NOT_INITIALIZED,
                fmt::format("{}: {} is not a live handle", api, static_cast<const void*>(handle)));
  if (handle->device != current_device())
    return fail(CUBLAS_STATUS_INVALID_VALUE, fmt::format("{}: the handle belongs to device {} but device {} is current",
                                                         api, handle->device, current_device()));
  return CUBLAS_STATUS_SUCCESS;
}

// A matrix of `rows` x `cols` (as stored) with leading dimension ld: must lie in device memory
// of the handle's device.
cublasStatus_t check_matrix(const cublasContext& h, const void* p, int64_t rows, int64_t cols, int64_t ld,
                            int64_t batch, int64_t stride, std::size_t elem, const char* name, const char* api) {
  if (rows == 0 || cols == 0 || batch == 0) return CUBLAS_STATUS_SUCCESS;
  const int64_t last = (batch - 1) * stride + (cols - 1) * ld + rows;  // one past the furthest element
  const std::optional<Region> r = find_range(p, static_cast<std::size_t>(last) * elem);
  if (!r || r->device != h.device)
    return fail(CUBLAS_STATUS_INVALID_VALUE,
                fmt::format("{}: matrix {} ({} x {}, ld {}, {} batch(es) of stride {}) at {} is not inside one "
                            "allocation of device {}",
                            api, name, rows, cols, ld, batch, stride, p, h.device));
  return CUBLAS_STATUS_SUCCESS;
}

template <class T>
cublasStatus_t gemm(const char* api, cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m,
                    int n, int k, const T* alpha, const T* a, int lda, long long stride_a, const T* b, int ldb,
                    long long stride_b, const T* beta, T* c, int ldc, long long stride_c, int batch) {
  if (cublasStatus_t s = check_handle(handle, api); s != CUBLAS_STATUS_SUCCESS) return s;
  const auto valid_op = [](cublasOperation_t op) {
    return op == CUBLAS_OP_N || op == CUBLAS_OP_T || op == CUBLAS_OP_C;
  };
  if (!valid_op(transa) || !valid_op(transb))
    return fail(CUBLAS_STATUS_INVALID_VALUE, fmt::format("{}: unknown operation", api));
  const bool ta = transa != CUBLAS_OP_N, tb = transb != CUBLAS_OP_N;  // real types: C is T
  if (m < 0 || n < 0 || k < 0 || batch < 0)
    return fail(CUBLAS_STATUS_INVALID_VALUE,
                fmt::format("{}: m = {}, n = {}, k = {}, batch = {}", api, m, n, k, batch));
  const int min_lda = std::max(1, ta ? k : m), min_ldb = std::max(1, tb ? n : k), min_ldc = std::max(1, m);
  if (lda < min_lda || ldb < min_ldb || ldc < min_ldc)
    return fail(CUBLAS_STATUS_INVALID_VALUE,
                fmt::format("{}: leading dimensions lda = {} (at least {}), ldb = {} (at least {}), ldc = {} (at "
                            "least {})",
                            api, lda, min_lda, ldb, min_ldb, ldc, min_ldc));
  if (alpha == nullptr || beta == nullptr)
    return fail(CUBLAS_STATUS_INVALID_VALUE, fmt::format("{}: alpha or beta is null", api));
  if (handle->math == CUBLAS_TF32_TENSOR_OP_MATH && sizeof(T) == 4)
    return fail(CUBLAS_STATUS_NOT_SUPPORTED, fmt::format("{}: TF32 tensor-op math is not emulated", api));
  const T alpha_v = *alpha, beta_v = *beta;  // host pointer mode: read at the call
  const bool reads_ab = alpha_v != T(0) && k > 0;
  if (reads_ab) {
    if (cublasStatus_t s = check_matrix(*handle, a, ta ? k : m, ta ? m : k, lda, batch, stride_a, sizeof(T), "A", api);
        s != CUBLAS_STATUS_SUCCESS)
      return s;
    if (cublasStatus_t s = check_matrix(*handle, b, tb ? n : k, tb ? k : n, ldb, batch, stride_b, sizeof(T), "B", api);
        s != CUBLAS_STATUS_SUCCESS)
      return s;
  }
  if (cublasStatus_t s = check_matrix(*handle, c, m, n, ldc, batch, stride_c, sizeof(T), "C", api);
      s != CUBLAS_STATUS_SUCCESS)
    return s;
  std::shared_ptr<Stream> stream;
  if (resolve_stream(handle->stream, &stream) != cudaSuccess)
    return fail(CUBLAS_STATUS_INVALID_VALUE, fmt::format("{}: the handle's stream is not a live stream", api));
  const Fault f = enqueue(*stream, [=] {
    for (int i = 0; i < batch; ++i)
      column_major_gemm<T>(ta, tb, m, n, k, alpha_v, a + i * stride_a, lda, b + i * stride_b, ldb, beta_v,
                           c + i * stride_c, ldc);
    return Fault{};
  });
  if (f.failed()) return fail(CUBLAS_STATUS_EXECUTION_FAILED, fmt::format("{}: {}", api, f.detail));
  return CUBLAS_STATUS_SUCCESS;
}

}  // namespace

cublasStatus_t cublasCreate(cublasHandle_t* handle) {
  std::lock_guard lock(state_mutex());
  if (config().devices == 0) return fail(CUBLAS_STATUS_NOT_INITIALIZED, "cublasCreate: no emulated device");
  auto h = std::make_unique<cublasContext>();
  h->device = current_device();
  *handle = h.get();
  handles()[h.get()] = std::move(h);
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy(cublasHandle_t handle) {
  std::lock_guard lock(state_mutex());
  if (handles().erase(handle) == 0) return fail(CUBLAS_STATUS_NOT_INITIALIZED, "cublasDestroy: not a live handle");
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream(cublasHandle_t handle, cudaStream_t stream) {
  if (cublasStatus_t s = check_handle(handle, "cublasSetStream"); s != CUBLAS_STATUS_SUCCESS) return s;
  std::shared_ptr<Stream> resolved;
  if (resolve_stream(stream, &resolved) != cudaSuccess)
    return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSetStream: not a live stream");
  handle->stream = stream;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGetStream(cublasHandle_t handle, cudaStream_t* stream) {
  if (cublasStatus_t s = check_handle(handle, "cublasGetStream"); s != CUBLAS_STATUS_SUCCESS) return s;
  *stream = handle->stream;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode) {
  if (cublasStatus_t s = check_handle(handle, "cublasSetMathMode"); s != CUBLAS_STATUS_SUCCESS) return s;
  if (mode != CUBLAS_DEFAULT_MATH && mode != CUBLAS_PEDANTIC_MATH && mode != CUBLAS_TF32_TENSOR_OP_MATH &&
      mode != CUBLAS_TENSOR_OP_MATH)
    return fail(CUBLAS_STATUS_INVALID_VALUE, fmt::format("cublasSetMathMode: unknown mode {}", static_cast<int>(mode)));
  handle->math = mode;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGetMathMode(cublasHandle_t handle, cublasMath_t* mode) {
  if (cublasStatus_t s = check_handle(handle, "cublasGetMathMode"); s != CUBLAS_STATUS_SUCCESS) return s;
  *mode = handle->math;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetAtomicsMode(cublasHandle_t handle, cublasAtomicsMode_t mode) {
  if (cublasStatus_t s = check_handle(handle, "cublasSetAtomicsMode"); s != CUBLAS_STATUS_SUCCESS) return s;
  handle->atomics = mode;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGetAtomicsMode(cublasHandle_t handle, cublasAtomicsMode_t* mode) {
  if (cublasStatus_t s = check_handle(handle, "cublasGetAtomicsMode"); s != CUBLAS_STATUS_SUCCESS) return s;
  *mode = handle->atomics;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetPointerMode(cublasHandle_t handle, cublasPointerMode_t mode) {
  if (cublasStatus_t s = check_handle(handle, "cublasSetPointerMode"); s != CUBLAS_STATUS_SUCCESS) return s;
  if (mode != CUBLAS_POINTER_MODE_HOST)
    return fail(CUBLAS_STATUS_NOT_SUPPORTED, "cublasSetPointerMode: only CUBLAS_POINTER_MODE_HOST is emulated");
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSgemm(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                           int k, const float* alpha, const float* A, int lda, const float* B, int ldb,
                           const float* beta, float* C, int ldc) {
  return gemm<float>("cublasSgemm", handle, transa, transb, m, n, k, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc, 0, 1);
}

cublasStatus_t cublasDgemm(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                           int k, const double* alpha, const double* A, int lda, const double* B, int ldb,
                           const double* beta, double* C, int ldc) {
  return gemm<double>("cublasDgemm", handle, transa, transb, m, n, k, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc, 0, 1);
}

cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                                         int m, int n, int k, const float* alpha, const float* A, int lda,
                                         long long int strideA, const float* B, int ldb, long long int strideB,
                                         const float* beta, float* C, int ldc, long long int strideC, int batchCount) {
  return gemm<float>("cublasSgemmStridedBatched", handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb,
                     strideB, beta, C, ldc, strideC, batchCount);
}

cublasStatus_t cublasDgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                                         int m, int n, int k, const double* alpha, const double* A, int lda,
                                         long long int strideA, const double* B, int ldb, long long int strideB,
                                         const double* beta, double* C, int ldc, long long int strideC,
                                         int batchCount) {
  return gemm<double>("cublasDgemmStridedBatched", handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb,
                      strideB, beta, C, ldc, strideC, batchCount);
}

const char* cublasGetStatusName(cublasStatus_t status) {
  switch (status) {
    case CUBLAS_STATUS_SUCCESS:
      return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED:
      return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED:
      return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE:
      return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH:
      return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR:
      return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED:
      return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR:
      return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED:
      return "CUBLAS_STATUS_NOT_SUPPORTED";
    case CUBLAS_STATUS_LICENSE_ERROR:
      return "CUBLAS_STATUS_LICENSE_ERROR";
  }
  return "CUBLAS_STATUS_UNKNOWN";
}

const char* cublasGetStatusString(cublasStatus_t status) {
  if (status != CUBLAS_STATUS_SUCCESS && status == tl_status.status) return tl_status.detail.c_str();
  switch (status) {
    case CUBLAS_STATUS_SUCCESS:
      return "success";
    case CUBLAS_STATUS_NOT_INITIALIZED:
      return "the library was not initialized";
    case CUBLAS_STATUS_INVALID_VALUE:
      return "an invalid numeric value was used as an argument";
    case CUBLAS_STATUS_EXECUTION_FAILED:
      return "the GPU program failed to execute";
    case CUBLAS_STATUS_NOT_SUPPORTED:
      return "the functionality requested is not supported";
    default:
      return "cuBLAS error";
  }
}
