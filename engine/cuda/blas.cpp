// cuBLAS is column-major: a row-major C = op(A) op(B) is the column-major C^T = op(B)^T op(A)^T,
// so the operands swap places and every leading dimension stays what it was.
#include "engine/cuda/blas.hpp"

#include <limits>

#include "engine/cuda/cuda_check.hpp"
#include "engine/cuda/stream.hpp"

namespace revgan::cuda {

namespace {

int as_int(int64_t v, const char* what) {
  REVGAN_CHECK(v >= 0 && v <= std::numeric_limits<int>::max(), "cuBLAS GEMM: {} = {} does not fit cuBLAS's int", what,
               v);
  return static_cast<int>(v);
}

cublasOperation_t op(bool trans) {
  return trans ? CUBLAS_OP_T : CUBLAS_OP_N;
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  REVGAN_CUBLAS_CHECK(cublasSgemm(cublas(), op(trans_b), op(trans_a), as_int(n, "n"), as_int(m, "m"), as_int(k, "k"),
                                  &alpha, b, as_int(ldb, "ldb"), a, as_int(lda, "lda"), &beta, c, as_int(ldc, "ldc")));
}

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t lda,
          const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  REVGAN_CUBLAS_CHECK(cublasDgemm(cublas(), op(trans_b), op(trans_a), as_int(n, "n"), as_int(m, "m"), as_int(k, "k"),
                                  &alpha, b, as_int(ldb, "ldb"), a, as_int(lda, "lda"), &beta, c, as_int(ldc, "ldc")));
}

}  // namespace revgan::cuda
