// The one tolerance helper: compares two value arrays and reports max abs error, max relative
// error (relative to the reference's max magnitude) and the share of the allowed error used.
// Named tolerances live here, each with its reason.
#pragma once

#include <string>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::test {

struct Comparison {
  double max_abs_error = 0;
  double reference_scale = 0;  // max |reference|
  double max_rel_error = 0;    // max_abs_error / max(reference_scale, tiny)
  double allowed_rel_error = 0;
  bool ok = false;
  std::string report() const;  // one line, for Catch2's INFO
};

// Pass when max |actual - reference| <= allowed_rel_error * max |reference| (floored at 1e-30).
Comparison compare(const std::vector<double>& actual, const std::vector<double>& reference, double allowed_rel_error);
Comparison compare(const Tensor& actual, const Tensor& reference, double allowed_rel_error);

namespace tolerance {
// float32 kernels against float64 PyTorch results: rounding of O(100)-term sums in float32.
inline constexpr double golden_float32 = 1e-5;
// float64 kernels against float64 PyTorch: only summation order differs.
inline constexpr double golden_float64 = 1e-11;
// Central finite differences in float64 with h = 1e-6: truncation O(h^2) plus rounding O(eps/h).
inline constexpr double finite_difference = 1e-6;
// CUDA against CPU, hand-written float32 kernels and cuBLAS GEMMs (TF32 off): both sides round
// in float32, only summation order and FMA contraction differ.
inline constexpr double cuda_float32 = 1e-5;
// oneDNN's float32 convolutions against the im2col kernels': both round in float32 (FMA), only
// the summation order differs (oneDNN sums by channel blocks, im2col by GEMM panels); the
// error is O(1e-6) of the output scale, while a wrong tap or channel is O(1e-1).
inline constexpr double cpu_conv_backends_float32 = 1e-5;
// oneDNN's Winograd gradients (F(4x4, 3x3), kernels/cpu/onednn_conv.hpp) against im2col: the
// input and output transforms add rounding; measured 2e-6 - 7e-6 of the gradient's scale for the
// reversible core's convs (64-128 channels at 32x32), while a wrong tap stays O(1e-1).
inline constexpr double cpu_conv_winograd_float32 = 5e-5;
// CUDA against CPU in float64: summation order only.
inline constexpr double cuda_float64 = 1e-10;
// cuDNN convolution in float32 against the CPU's im2col GEMM. TF32 is off (FMA math), but the
// deterministic algorithms cuDNN may pick include Winograd and FFT ones, whose transforms round
// differently from a direct sum; their error is O(1e-5) of the output scale at our sizes, so
// 1e-4 leaves a margin while a wrong tap or a TF32 product (O(1e-3)) would still fail.
inline constexpr double cudnn_conv_float32 = 1e-4;
// A few Adam steps of a small generator trained on CUDA against the same run on the CPU: the
// per-op differences above compound through every layer and step, and Adam's normalised step
// turns a sign flip of a near-zero gradient into a full-size update of that weight.
inline constexpr double cuda_training_float32 = 1e-3;
}  // namespace tolerance

}  // namespace revgan::test

#define REVGAN_REQUIRE_CLOSE(comparison)      \
  do {                                        \
    auto revgan_cmp_ = (comparison);          \
    INFO(revgan_cmp_.report());               \
    REQUIRE(revgan_cmp_.ok);                  \
  } while (0)
