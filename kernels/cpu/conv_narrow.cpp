// The narrow conv's instruction-set choice and its thread split over output rows.
#include "kernels/cpu/conv_narrow.hpp"

namespace revgan::kernels::cpu {

namespace {

enum class Isa { none, avx2, avx512 };

Isa detect_isa() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) return Isa::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::avx2;
  return Isa::none;
}

Isa isa() {
  static const Isa chosen = detect_isa();
  return chosen;
}

}  // namespace

const char* narrow_conv_isa() {
  switch (isa()) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    case Isa::none: break;
  }
  return "none";
}

bool narrow_conv_suits(const ConvGeometry& g) {
  if (isa() == Isa::none) return false;
  if (g.out_channels < 1 || g.out_channels > k_narrow_conv_max_outputs) return false;
  for (int a = 0; a < 3; ++a)
    if (g.stride[a] != 1 || g.padding[a] != 0) return false;
  return g.input[0] == 1 && g.kernel[0] == 1;  // 2D
}

narrow::NarrowConvRows narrow_conv_rows(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                                        float* y) {
  narrow::NarrowConvRows r;
  r.x = x;
  r.w = w;
  r.bias = bias;
  r.y = y;
  r.in_channels = g.in_channels;
  r.out_channels = g.out_channels;
  r.in_h = g.input[1];
  r.in_w = g.input[2];
  r.out_h = g.output[1];
  r.out_w = g.output[2];
  r.k_h = g.kernel[1];
  r.k_w = g.kernel[2];
  return r;
}

void narrow_conv_forward(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y) {
  const narrow::NarrowConvRows r = narrow_conv_rows(g, x, w, bias, y);
  const int64_t rows = g.batch * r.out_h;
  const auto run = isa() == Isa::avx512 ? narrow::conv_rows_avx512 : narrow::conv_rows_avx2;
  // Rows are split whatever their count: the convs this serves (the RGB layer: 32 channels,
  // 7x7, 128 wide) hold about 200,000 multiply-adds per row and output channel.
#pragma omp parallel for schedule(static)
  for (int64_t row = 0; row < rows; ++row) run(r, row, row + 1);
}

}  // namespace revgan::kernels::cpu
