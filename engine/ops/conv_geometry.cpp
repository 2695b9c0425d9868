// Argument checks and kernel geometry for conv and conv_transpose (2D and 3D).
#include "engine/ops/conv_geometry.hpp"

#include <string_view>

#include "engine/ops/op_support.hpp"

namespace revgan::ops {

namespace {

using kernels::ConvGeometry;
using kernels::Extent3;

// Axis names for messages; a 2D op's axes are H and W, a 3D op's D, H and W.
std::string_view axis_name(int spatial, int axis) {
  static constexpr std::string_view names[] = {"D", "H", "W"};
  return names[3 - spatial + axis];
}

// One value for every spatial axis, or one per axis, laid into the 3-axis extent from the
// back so that a 2D op keeps `depth_value` (the identity) along D.
Extent3 expand_option(OpKind op, std::string_view name, const std::vector<int64_t>& values, int spatial,
                      int64_t depth_value) {
  const auto count = static_cast<int64_t>(values.size());
  REVGAN_CHECK(count == 1 || count == spatial,
               "{}: {} needs 1 value or {} (one per spatial axis) for a {}D op, got {}", op_name(op), name,
               spatial, spatial, count);
  Extent3 e{depth_value, depth_value, depth_value};
  for (int a = 0; a < spatial; ++a) e[3 - spatial + a] = values[count == 1 ? 0 : a];
  return e;
}

struct CommonShapes {
  int spatial = 0;
  int64_t batch = 0;
  int64_t x_channels = 0;
  Extent3 input{1, 1, 1};
  Extent3 kernel{1, 1, 1};
};

// Checks shared by both ops: presence, dtype and device, ranks, non-empty sizes, and the
// channel count that x and weight must agree on (weight dim 1 for conv, dim 0 transposed).
CommonShapes check_common(OpKind op, const Tensor& x, const Tensor& weight, const Tensor& bias,
                          int weight_in_dim) {
  const auto name = op_name(op);
  check_defined(op, "x", x);
  check_compatible(op, "weight", weight, "x", x);
  if (bias.defined()) check_compatible(op, "bias", bias, "x", x);

  REVGAN_CHECK(x.dim() == 4 || x.dim() == 5,
               "{}: x must be 4D [N, C, H, W] or 5D [N, C, D, H, W], got shape {}", name, x.shape().str());
  REVGAN_CHECK(weight.dim() == x.dim(), "{}: weight has rank {} (shape {}) but x has rank {}; a {}D op needs a {}D weight",
               name, weight.dim(), weight.shape().str(), x.dim(), x.dim() - 2, x.dim());
  for (int i = 0; i < x.dim(); ++i) {
    REVGAN_CHECK(x.size(i) > 0, "{}: x has an empty dimension, shape {}", name, x.shape().str());
    REVGAN_CHECK(weight.size(i) > 0, "{}: weight has an empty dimension, shape {}", name, weight.shape().str());
  }
  REVGAN_CHECK(weight.size(weight_in_dim) == x.size(1), "{}: weight has {} input channels but x has {} (weight {}, x {})",
               name, weight.size(weight_in_dim), x.size(1), weight.shape().str(), x.shape().str());

  CommonShapes c;
  c.spatial = x.dim() - 2;
  c.batch = x.size(0);
  c.x_channels = x.size(1);
  for (int a = 0; a < c.spatial; ++a) {
    c.input[3 - c.spatial + a] = x.size(2 + a);
    c.kernel[3 - c.spatial + a] = weight.size(2 + a);
  }
  return c;
}

void check_bias(OpKind op, const Tensor& bias, int64_t out_channels) {
  if (!bias.defined()) return;
  REVGAN_CHECK(bias.dim() == 1 && bias.size(0) == out_channels,
               "{}: bias must have shape [{}] (one value per output channel), got {}", op_name(op), out_channels,
               bias.shape().str());
}

void check_stride_padding(OpKind op, const CommonShapes& c, const Extent3& stride, const Extent3& padding) {
  for (int a = 0; a < c.spatial; ++a) {
    const int i = 3 - c.spatial + a;
    REVGAN_CHECK(stride[i] >= 1, "{}: stride must be >= 1, got {} along {}", op_name(op), stride[i],
                 axis_name(c.spatial, a));
    REVGAN_CHECK(padding[i] >= 0, "{}: padding must be >= 0, got {} along {}", op_name(op), padding[i],
                 axis_name(c.spatial, a));
  }
}

}  // namespace

int64_t conv_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding) {
  return (in + 2 * padding - kernel) / stride + 1;
}

int64_t conv_transpose_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding,
                                   int64_t output_padding) {
  return (in - 1) * stride - 2 * padding + kernel + output_padding;
}

ConvGeometry conv_geometry(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvOptions& options) {
  constexpr OpKind op = OpKind::conv;
  const CommonShapes c = check_common(op, x, weight, bias, 1);
  check_bias(op, bias, weight.size(0));

  ConvGeometry g;
  g.batch = c.batch;
  g.in_channels = c.x_channels;
  g.out_channels = weight.size(0);
  g.input = c.input;
  g.kernel = c.kernel;
  g.stride = expand_option(op, "stride", options.stride, c.spatial, 1);
  g.padding = expand_option(op, "padding", options.padding, c.spatial, 0);
  check_stride_padding(op, c, g.stride, g.padding);
  for (int a = 0; a < c.spatial; ++a) {
    const int i = 3 - c.spatial + a;
    // Checked before dividing: C++ division truncates toward zero, so a slightly negative
    // numerator would otherwise round up to a bogus output size of 1.
    const int64_t padded = g.input[i] + 2 * g.padding[i];
    REVGAN_CHECK(padded >= g.kernel[i],
                 "{}: output size along {} would be non-positive: kernel {} is larger than the padded input {} "
                 "(input {}, padding {})",
                 op_name(op), axis_name(c.spatial, a), g.kernel[i], padded, g.input[i], g.padding[i]);
    g.output[i] = conv_output_size(g.input[i], g.kernel[i], g.stride[i], g.padding[i]);
  }
  return g;
}

ConvGeometry conv_transpose_geometry(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                     const ConvTransposeOptions& options) {
  constexpr OpKind op = OpKind::conv_transpose;
  const CommonShapes c = check_common(op, x, weight, bias, 0);
  check_bias(op, bias, weight.size(1));

  ConvGeometry g;
  g.batch = c.batch;
  g.in_channels = c.x_channels;
  g.out_channels = weight.size(1);
  g.input = c.input;
  g.kernel = c.kernel;
  g.stride = expand_option(op, "stride", options.stride, c.spatial, 1);
  g.padding = expand_option(op, "padding", options.padding, c.spatial, 0);
  g.output_padding = expand_option(op, "output_padding", options.output_padding, c.spatial, 0);
  check_stride_padding(op, c, g.stride, g.padding);
  for (int a = 0; a < c.spatial; ++a) {
    const int i = 3 - c.spatial + a;
    const auto axis = axis_name(c.spatial, a);
    // output_padding only picks among the output sizes that a strided conv maps onto the
    // same input size; at stride or more it would append rows no tap reaches.
    REVGAN_CHECK(g.output_padding[i] >= 0 && g.output_padding[i] < g.stride[i],
                 "{}: output_padding {} must be smaller than stride {} and non-negative along {}", op_name(op),
                 g.output_padding[i], g.stride[i], axis);
    g.output[i] = conv_transpose_output_size(g.input[i], g.kernel[i], g.stride[i], g.padding[i],
                                             g.output_padding[i]);
    REVGAN_CHECK(g.output[i] > 0,
                 "{}: output size along {} would be non-positive ({}): input {}, kernel {}, stride {}, padding {}, "
                 "output_padding {}",
                 op_name(op), axis, g.output[i], g.input[i], g.kernel[i], g.stride[i], g.padding[i],
                 g.output_padding[i]);
  }
  return g;
}

Shape conv_output_shape(const ConvGeometry& g, int rank) {
  Shape s{g.batch, g.out_channels};
  for (int i = 3 - (rank - 2); i < 3; ++i) s.push_back(g.output[i]);
  return s;
}

}  // namespace revgan::ops
