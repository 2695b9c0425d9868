// The emulated cuBLAS against GEMM computed here from its definition (column-major, op(X) = X or
// X^T, element (i, j) at X[i + j * ld]) for every transpose combination with padded leading
// dimensions, strided batches, beta = 0 over NaN (C not read), alpha = 0 over NaN (A and B not
// read), and the documented invalid-value cases.
#include <cublas_v2.h>

#include <cmath>

#include "tests/emulator/emu_test_util.hpp"

using namespace revgan;
using test::DeviceArray;
using test::random_values;

namespace {

struct Handle {
  Handle() { REQUIRE(cublasCreate(&h) == CUBLAS_STATUS_SUCCESS); }
  ~Handle() { cublasDestroy(h); }
  cublasHandle_t h = nullptr;
};

double at(const std::vector<double>& x, bool trans, int64_t i, int64_t j, int64_t ld) {
  return trans ? x[j + i * ld] : x[i + j * ld];
}

}  // namespace

TEST_CASE("emulated cuBLAS: Dgemm and Sgemm follow the column-major definition", "[emulator]") {
  Handle handle;
  const int m = 5, n = 4, k = 3;
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      INFO("transa " << ta << ", transb " << tb);
      const int lda = (ta ? k : m) + 2, ldb = (tb ? n : k) + 1, ldc = m + 3;
      const std::vector<double> a = random_values(static_cast<std::size_t>(lda) * (ta ? m : k), 1);
      const std::vector<double> b = random_values(static_cast<std::size_t>(ldb) * (tb ? k : n), 2);
      const std::vector<double> c0 = random_values(static_cast<std::size_t>(ldc) * n, 3);
      const double alpha = 0.75, beta = -0.5;
      std::vector<double> expected = c0;
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
          double s = 0;
          for (int l = 0; l < k; ++l) s += at(a, ta, i, l, lda) * at(b, tb, l, j, ldb);
          expected[i + j * ldc] = alpha * s + beta * c0[i + j * ldc];
        }
      DeviceArray<double> da(a), db(b), dc(c0);
      REQUIRE(cublasDgemm(handle.h, ta ? CUBLAS_OP_T : CUBLAS_OP_N, tb ? CUBLAS_OP_T : CUBLAS_OP_N, m, n, k, &alpha,
                          da.get(), lda, db.get(), ldb, &beta, dc.get(), ldc) == CUBLAS_STATUS_SUCCESS);
      const std::vector<double> got = dc.host();
      for (std::size_t i = 0; i < got.size(); ++i) CHECK(std::abs(got[i] - expected[i]) < 1e-12);

      std::vector<float> af(a.begin(), a.end()), bf(b.begin(), b.end()), cf(c0.begin(), c0.end());
      DeviceArray<float> fa(af), fb(bf), fc(cf);
      const float alpha_f = 0.75f, beta_f = -0.5f;
      REQUIRE(cublasSgemm(handle.h, ta ? CUBLAS_OP_T : CUBLAS_OP_N, tb ? CUBLAS_OP_T : CUBLAS_OP_N, m, n, k, &alpha_f,
                          fa.get(), lda, fb.get(), ldb, &beta_f, fc.get(), ldc) == CUBLAS_STATUS_SUCCESS);
      const std::vector<float> gotf = fc.host();
      for (std::size_t i = 0; i < gotf.size(); ++i) CHECK(std::abs(gotf[i] - expected[i]) < 1e-5);
    }
}

TEST_CASE("emulated cuBLAS: strided batches, and operands that must not be read", "[emulator]") {
  Handle handle;
  const int m = 3, n = 2, k = 4, batch = 3;
  const long long sa = m * k + 1, sb = k * n + 2, sc = m * n;
  const std::vector<double> a = random_values(static_cast<std::size_t>(sa * batch), 4);
  const std::vector<double> b = random_values(static_cast<std::size_t>(sb * batch), 5);
  DeviceArray<double> da(a), db(b), dc(static_cast<std::size_t>(sc * batch));  // dc fresh: NaN
  const double one = 1, zero = 0;
  REQUIRE(cublasDgemmStridedBatched(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, da.get(), m, sa, db.get(), k, sb,
                                    &zero, dc.get(), m, sc, batch) == CUBLAS_STATUS_SUCCESS);
  const std::vector<double> c = dc.host();
  for (int p = 0; p < batch; ++p)
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        double s = 0;
        for (int l = 0; l < k; ++l) s += a[p * sa + i + l * m] * b[p * sb + l + j * k];
        CHECK(std::abs(c[p * sc + i + j * m] - s) < 1e-12);  // beta = 0: the NaN in C was not read
      }
  // alpha = 0: A and B (fresh, NaN) are not read; C = beta * C.
  DeviceArray<double> nan_a(static_cast<std::size_t>(m * k)), nan_b(static_cast<std::size_t>(k * n));
  DeviceArray<double> c2(std::vector<double>(static_cast<std::size_t>(m * n), 2.0));
  const double half = 0.5;
  REQUIRE(cublasDgemm(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &zero, nan_a.get(), m, nan_b.get(), k, &half,
                      c2.get(), m) == CUBLAS_STATUS_SUCCESS);
  for (double v : c2.host()) CHECK(v == 1.0);
}

TEST_CASE("emulated cuBLAS: invalid arguments and unsupported modes are refused", "[emulator]") {
  Handle handle;
  DeviceArray<float> a(64), b(64), c(64);
  const float one = 1;
  CHECK(cublasSgemm(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 4, &one, a.get(), 3, b.get(), 4, &one, c.get(), 4) ==
        CUBLAS_STATUS_INVALID_VALUE);
  CHECK_THAT(std::string(cublasGetStatusString(CUBLAS_STATUS_INVALID_VALUE)), Catch::Contains("lda = 3"));
  CHECK(cublasSgemm(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, -1, 4, 4, &one, a.get(), 4, b.get(), 4, &one, c.get(), 4) ==
        CUBLAS_STATUS_INVALID_VALUE);
  // B would need 9 x 9 elements: past the end of its allocation.
  CHECK(cublasSgemm(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, 4, 9, 9, &one, a.get(), 4, b.get(), 9, &one, c.get(), 4) ==
        CUBLAS_STATUS_INVALID_VALUE);
  std::vector<float> host(64);
  CHECK(cublasSgemm(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 4, &one, host.data(), 4, b.get(), 4, &one, c.get(), 4) ==
        CUBLAS_STATUS_INVALID_VALUE);
  CHECK(cublasSetPointerMode(handle.h, CUBLAS_POINTER_MODE_DEVICE) == CUBLAS_STATUS_NOT_SUPPORTED);
  REQUIRE(cublasSetMathMode(handle.h, CUBLAS_TF32_TENSOR_OP_MATH) == CUBLAS_STATUS_SUCCESS);
  CHECK(cublasSgemm(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 4, &one, a.get(), 4, b.get(), 4, &one, c.get(), 4) ==
        CUBLAS_STATUS_NOT_SUPPORTED);
  REQUIRE(cudaSetDevice(1) == cudaSuccess);
  CHECK(cublasSetMathMode(handle.h, CUBLAS_DEFAULT_MATH) == CUBLAS_STATUS_INVALID_VALUE);  // handle of device 0
  REQUIRE(cudaSetDevice(0) == cudaSuccess);
}
