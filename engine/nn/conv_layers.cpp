// Conv and ConvTranspose layers: parameter shapes, argument checks, calls into ops::conv*.
#include "engine/nn/conv_layers.hpp"

#include "engine/ops/conv.hpp"

namespace revgan::nn {

namespace {

Shape kernel_shape(int dims, int64_t a, int64_t b, int64_t kernel) {
  Shape s{a, b};
  for (int i = 0; i < dims; ++i) s.push_back(kernel);
  return s;
}

void check_geometry(const char* layer, int dims, int64_t in, int64_t out, int64_t kernel, int64_t stride,
                    int64_t padding) {
  REVGAN_CHECK(dims == 2 || dims == 3, "{}: dims must be 2 or 3, got {}", layer, dims);
  REVGAN_CHECK(in > 0 && out > 0, "{}: channel counts must be positive, got in={} out={}", layer, in, out);
  REVGAN_CHECK(kernel > 0 && stride > 0 && padding >= 0, "{}: invalid kernel={} stride={} padding={}", layer, kernel,
               stride, padding);
}

void check_input(const Module& m, const Tensor& x, int dims, int64_t in) {
  REVGAN_CHECK(x.defined() && x.dim() == dims + 2 && x.size(1) == in, "{}: expected input [N, {}, {}], got {}",
               m.type_name(), in, dims == 2 ? "H, W" : "D, H, W", x.describe());
}

}  // namespace

Conv::Conv(int dims, int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride, int64_t padding,
           bool bias, DType dtype)
    : dims_(dims), in_(in_channels), out_(out_channels), kernel_(kernel), stride_(stride), padding_(padding) {
  check_geometry("Conv", dims, in_channels, out_channels, kernel, stride, padding);
  weight_ = register_parameter("weight", kernel_shape(dims, out_channels, in_channels, kernel), dtype);
  if (bias) bias_ = register_parameter("bias", Shape{out_channels}, dtype);
}

std::string Conv::type_name() const { return fmt::format("Conv{}d", dims_); }

Tensor Conv::forward(const Tensor& x) {
  check_input(*this, x, dims_, in_);
  ops::ConvOptions options;
  options.stride = {stride_};
  options.padding = {padding_};
  return ops::conv(x, weight_, bias_, options);
}

ConvTranspose::ConvTranspose(int dims, int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride,
                             int64_t padding, int64_t output_padding, bool bias, DType dtype)
    : dims_(dims),
      in_(in_channels),
      out_(out_channels),
      kernel_(kernel),
      stride_(stride),
      padding_(padding),
      output_padding_(output_padding) {
  check_geometry("ConvTranspose", dims, in_channels, out_channels, kernel, stride, padding);
  // PyTorch's rule: the extra output rows must be smaller than the stride (or dilation).
  REVGAN_CHECK(output_padding >= 0 && output_padding < stride,
               "ConvTranspose: output_padding {} must be in [0, stride={})", output_padding, stride);
  weight_ = register_parameter("weight", kernel_shape(dims, in_channels, out_channels, kernel), dtype);
  if (bias) bias_ = register_parameter("bias", Shape{out_channels}, dtype);
}

std::string ConvTranspose::type_name() const { return fmt::format("ConvTranspose{}d", dims_); }

Tensor ConvTranspose::forward(const Tensor& x) {
  check_input(*this, x, dims_, in_);
  ops::ConvTransposeOptions options;
  options.stride = {stride_};
  options.padding = {padding_};
  options.output_padding = {output_padding_};
  return ops::conv_transpose(x, weight_, bias_, options);
}

}  // namespace revgan::nn
