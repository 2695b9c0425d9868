// Row-major GEMM through cuBLAS on the context's stream (float and double), the CUDA counterpart
// of the OpenBLAS calls in kernels/cpu/im2col.hpp; used by the transposed convolution.
#pragma once

#include <cstdint>

#include "kernels/cuda/library.hpp"

namespace revgan::kernels::cuda {

// c[m, n] = alpha * op(a) * op(b) + beta * c, all row-major; op transposes when asked.
LibraryStatus gemm(const LibraryContext& ctx, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                   const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
LibraryStatus gemm(const LibraryContext& ctx, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
                   const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc);

}  // namespace revgan::kernels::cuda
