// Column-major GEMM loops. For each column j of C the k products accumulate in a column
// buffer, one op(A) column at a time, which keeps each element's summation order increasing in
// l while reading A contiguously when it is not transposed.
#include "emulator/cublas/gemm.hpp"

#include <vector>

namespace revgan::emu {

template <class T>
void column_major_gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
                       const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  const bool products = alpha != T(0) && k > 0;
  std::vector<T> acc(static_cast<std::size_t>(m));
  for (int64_t j = 0; j < n; ++j) {
    T* cj = c + j * ldc;
    if (products) {
      for (int64_t i = 0; i < m; ++i) acc[i] = T(0);
      for (int64_t l = 0; l < k; ++l) {
        const T blj = trans_b ? b[j + l * ldb] : b[l + j * ldb];
        if (trans_a) {
          for (int64_t i = 0; i < m; ++i) acc[i] += a[l + i * lda] * blj;
        } else {
          const T* al = a + l * lda;
          for (int64_t i = 0; i < m; ++i) acc[i] += al[i] * blj;
        }
      }
    }
    for (int64_t i = 0; i < m; ++i) {
      const T prod = products ? alpha * acc[i] : T(0);
      cj[i] = beta == T(0) ? prod : prod + beta * cj[i];
    }
  }
}

template void column_major_gemm<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t,
                                       const float*, int64_t, float, float*, int64_t);
template void column_major_gemm<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t,
                                        const double*, int64_t, double, double*, int64_t);

}  // namespace revgan::emu
