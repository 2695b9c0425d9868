// The emulated GEMM, straight from cuBLAS's definition: column-major
// C = alpha * op(A) * op(B) + beta * C with op(A) m x k, op(B) k x n, C m x n, element (i, j) of
// a matrix X with leading dimension ld at X[i + j * ld]. Each C(i, j) sums its k products in
// increasing order in T. When beta is zero C is not read; when alpha is zero or k is zero, A and
// B are not read.
#pragma once

#include <cstdint>

namespace revgan::emu {

template <class T>
void column_major_gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
                       const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

}  // namespace revgan::emu
