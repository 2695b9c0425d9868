// Row-major GEMM on the current device's compute stream through cuBLAS (float and double),
// the CUDA counterpart of the OpenBLAS wrapper in kernels/cpu/im2col.hpp.
#pragma once

#include <cstdint>

namespace revgan::cuda {

// c[m, n] = alpha * op(a) * op(b) + beta * c, all row-major; op transposes when asked.
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t lda,
          const double* b, int64_t ldb, double beta, double* c, int64_t ldc);

}  // namespace revgan::cuda
