// The narrow conv's rows with AVX2 (8 floats a vector, 2 vectors a tile): this file is compiled
// with -mavx2 -mfma and only called where the CPU has both (conv_narrow.cpp).
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
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
};

#include "kernels/cpu/narrow/narrow_conv_body.inc"

}  // namespace

void conv_rows_avx2(const NarrowConvRows& r, int64_t first, int64_t last) { dispatch_rows(r, first, last); }

}  // namespace revgan::kernels::cpu::narrow
