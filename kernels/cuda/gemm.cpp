// cuBLAS is column-major: a row-major C = op(A) op(B) is the column-major C^T = op(B)^T op(A)^T,
// so the operands swap places and every leading dimension stays what it was.
#include "kernels/cuda/gemm.hpp"

#include <fmt/format.h>

#include <limits>

namespace revgan::kernels::cuda {

namespace {

bool fits_int(int64_t v) {
  return v >= 0 && v <= std::numeric_limits<int>::max();
}

cublasOperation_t op(bool trans) {
  return trans ? CUBLAS_OP_T : CUBLAS_OP_N;
}

LibraryStatus check_sizes(int64_t m, int64_t n, int64_t k, int64_t lda, int64_t ldb, int64_t ldc) {
  for (auto [name, v] : {std::pair{"m", m}, {"n", n}, {"k", k}, {"lda", lda}, {"ldb", ldb}, {"ldc", ldc}})
    if (!fits_int(v))
      return LibraryStatus::unsupported(fmt::format("cuBLAS GEMM: {} = {} does not fit cuBLAS's int", name, v));
  return {};
}

}  // namespace

LibraryStatus gemm(const LibraryContext& ctx, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                   const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return {};
  REVGAN_TRY(check_sizes(m, n, k, lda, ldb, ldc));
  REVGAN_TRY_CUBLAS(cublasSgemm(ctx.cublas, op(trans_b), op(trans_a), static_cast<int>(n), static_cast<int>(m),
                                static_cast<int>(k), &alpha, b, static_cast<int>(ldb), a, static_cast<int>(lda), &beta,
                                c, static_cast<int>(ldc)));
  return {};
}

LibraryStatus gemm(const LibraryContext& ctx, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
                   const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  if (m == 0 || n == 0) return {};
  REVGAN_TRY(check_sizes(m, n, k, lda, ldb, ldc));
  REVGAN_TRY_CUBLAS(cublasDgemm(ctx.cublas, op(trans_b), op(trans_a), static_cast<int>(n), static_cast<int>(m),
                                static_cast<int>(k), &alpha, b, static_cast<int>(ldb), a, static_cast<int>(lda), &beta,
                                c, static_cast<int>(ldc)));
  return {};
}

}  // namespace revgan::kernels::cuda
