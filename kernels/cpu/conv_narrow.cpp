// The narrow conv's instruction-set choice and its thread splits: output rows for the forward,
// (input channel, kernel row) pairs for the weight gradient.
#include "kernels/cpu/conv_narrow.hpp"

namespace revgan::kernels::cpu {

namespace {

enum class Isa { none, avx2, avx512 };

bool cpu_has_avx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
}

bool cpu_has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

Isa detect_isa() {
  if (cpu_has_avx512()) return Isa::avx512;
  if (cpu_has_avx2()) return Isa::avx2;
  return Isa::none;
}

Isa isa() {
  static const Isa chosen = detect_isa();
  return chosen;
}

constexpr NarrowConvKernels k_avx512{"avx512", narrow::conv_rows_avx512, narrow::weight_grad_avx512};
constexpr NarrowConvKernels k_avx2{"avx2", narrow::conv_rows_avx2, narrow::weight_grad_avx2};

const NarrowConvKernels& chosen_kernels() { return isa() == Isa::avx512 ? k_avx512 : k_avx2; }

}  // namespace

const char* narrow_conv_isa() { return isa() == Isa::none ? "none" : chosen_kernels().isa; }

bool narrow_conv_suits(const ConvGeometry& g) {
  if (isa() == Isa::none) return false;
  if (g.out_channels < 1 || g.out_channels > k_narrow_conv_max_outputs) return false;
  for (int a = 0; a < 3; ++a)
    if (g.stride[a] != 1 || g.padding[a] != 0) return false;
  return g.input[0] == 1 && g.kernel[0] == 1;  // 2D
}

namespace {

narrow::NarrowShape narrow_shape(const ConvGeometry& g) {
  narrow::NarrowShape s;
  s.batch = g.batch;
  s.in_channels = g.in_channels;
  s.out_channels = g.out_channels;
  s.in_h = g.input[1];
  s.in_w = g.input[2];
  s.out_h = g.output[1];
  s.out_w = g.output[2];
  s.k_h = g.kernel[1];
  s.k_w = g.kernel[2];
  return s;
}

}  // namespace

narrow::NarrowConvRows narrow_conv_rows(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                                        float* y) {
  narrow::NarrowConvRows r;
  static_cast<narrow::NarrowShape&>(r) = narrow_shape(g);
  r.x = x;
  r.w = w;
  r.bias = bias;
  r.y = y;
  return r;
}

void narrow_conv_forward(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y) {
  const narrow::NarrowConvRows r = narrow_conv_rows(g, x, w, bias, y);
  const int64_t rows = g.batch * r.out_h;
  const auto run = chosen_kernels().rows;
  // Rows are split whatever their count: the convs this serves (the RGB layer: 32 channels,
  // 7x7, 128 wide) hold about 200,000 multiply-adds per row and output channel.
#pragma omp parallel for schedule(static)
  for (int64_t row = 0; row < rows; ++row) run(r, row, row + 1);
}

narrow::NarrowWeightGrad narrow_weight_grad(const ConvGeometry& g, const float* x, const float* dy, float* dw,
                                            bool accumulate) {
  narrow::NarrowWeightGrad r;
  static_cast<narrow::NarrowShape&>(r) = narrow_shape(g);
  r.x = x;
  r.dy = dy;
  r.dw = dw;
  r.accumulate = accumulate;
  return r;
}

void narrow_conv_backward_weight(const ConvGeometry& g, const float* x, const float* dy, float* dw, bool accumulate) {
  const narrow::NarrowWeightGrad r = narrow_weight_grad(g, x, dy, dw, accumulate);
  const int64_t tasks = g.in_channels * g.kernel[1];
  const auto run = chosen_kernels().weight_grad;
  // Each task is all output pixels of one (input channel, kernel row): for the RGB layer
  // (32 channels, 7x7, 128x128) 224 tasks of about 340,000 multiply-adds each.
#pragma omp parallel for schedule(dynamic)
  for (int64_t task = 0; task < tasks; ++task) run(r, task, task + 1);
}

std::vector<NarrowConvKernels> narrow_conv_kernels_available() {
  std::vector<NarrowConvKernels> available;
  if (cpu_has_avx512()) available.push_back(k_avx512);
  if (cpu_has_avx2()) available.push_back(k_avx2);
  return available;
}

}  // namespace revgan::kernels::cpu
