// The narrow conv's rows and weight gradient with AVX2 (8 floats a vector, 2 vectors a tile):
// this file is compiled with -mavx2 -mfma and only called where the CPU has both (conv_narrow.cpp).
#include <immintrin.h>

#include "kernels/cpu/narrow/narrow_conv_rows.hpp"

namespace revgan::kernels::cpu::narrow {

namespace {

struct Isa {
  using V = __m256;
  static constexpr int W = 8;
  static constexpr int T = 2;  // 8 accumulators for 4 channels, 2 inputs, 1 weight: 11 of 16 registers
  static V set1(float v) { return _mm256_set1_ps(v); }
  static V loadu(const float* p) { return _mm256_loadu_ps(p); }
  static void storeu(float* p, V v) { _mm256_storeu_ps(p, v); }
  // Weight gradient: registers for partial sums (3 channels x 2 columns x 2 halves, beside 3 dy, 1 input).
  static constexpr int accumulators = 12;
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
};

#include "kernels/cpu/narrow/narrow_conv_body.inc"
#include "kernels/cpu/narrow/narrow_weight_grad_body.inc"

}  // namespace

void conv_rows_avx2(const NarrowConvRows& r, int64_t first, int64_t last) { dispatch_rows(r, first, last); }

void weight_grad_avx2(const NarrowWeightGrad& r, int64_t first, int64_t last) {
  dispatch_weight_grad(r, first, last);
}

}  // namespace revgan::kernels::cpu::narrow
