// The narrow conv's rows and weight gradient with AVX-512 (16 floats a vector, 4 vectors a
// tile): this file is compiled with -mavx512f -mfma and only called where the CPU has both
// (conv_narrow.cpp).
#include <immintrin.h>

#include "kernels/cpu/narrow/narrow_conv_rows.hpp"

namespace revgan::kernels::cpu::narrow {

namespace {

struct Isa {
  using V = __m512;
  static constexpr int W = 16;
  static constexpr int T = 4;  // 16 accumulators for 4 channels, 4 inputs, 1 weight: 21 of 32 registers
  static V set1(float v) { return _mm512_set1_ps(v); }
  static V loadu(const float* p) { return _mm512_loadu_ps(p); }
  static void storeu(float* p, V v) { _mm512_storeu_ps(p, v); }
  // Weight gradient: registers for partial sums (3 channels x 7 columns = 21, beside 3 dy and 1 input).
  static constexpr int accumulators = 24;
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
};

#include "kernels/cpu/narrow/narrow_conv_body.inc"
#include "kernels/cpu/narrow/narrow_weight_grad_body.inc"

}  // namespace

void conv_rows_avx512(const NarrowConvRows& r, int64_t first, int64_t last) { dispatch_rows(r, first, last); }

void weight_grad_avx512(const NarrowWeightGrad& r, int64_t first, int64_t last) {
  dispatch_weight_grad(r, first, last);
}

}  // namespace revgan::kernels::cpu::narrow
