// Convolution and transposed convolution, 2D (N,C,H,W) and 3D (N,C,D,H,W), zero padding,
// optional bias. Options are per spatial axis (2 or 3 values) or one value for all axes.
#pragma once

#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::ops {

struct ConvOptions {
  std::vector<int64_t> stride{1};
  std::vector<int64_t> padding{0};
};

struct ConvTransposeOptions {
  std::vector<int64_t> stride{1};
  std::vector<int64_t> padding{0};
  std::vector<int64_t> output_padding{0};
};

// x [N, Cin, (D,) H, W], weight [Cout, Cin, (kD,) kH, kW], bias [Cout] or undefined.
Tensor conv(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvOptions& options = {});
// x [N, Cin, ...], weight [Cin, Cout, k...], bias [Cout] or undefined (PyTorch layout).
Tensor conv_transpose(const Tensor& x, const Tensor& weight, const Tensor& bias,
                      const ConvTransposeOptions& options = {});

}  // namespace revgan::ops
