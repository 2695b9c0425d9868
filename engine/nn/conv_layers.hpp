// Convolution layers, 2D or 3D by `dims`: Conv (zero padding) and ConvTranspose, with
// PyTorch's weight layouts so that weights map one-to-one onto reference models.
#pragma once

#include <cstdint>

#include "engine/nn/module.hpp"

namespace revgan::nn {

// weight [out, in, k, k(, k)], bias [out]; cubic kernels, same stride/padding on every axis.
class Conv : public Module {
 public:
  Conv(int dims, int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride = 1, int64_t padding = 0,
       bool bias = true, DType dtype = DType::float32);
  std::string type_name() const override;
  Tensor forward(const Tensor& x) override;

  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }  // undefined without bias
  int dims() const { return dims_; }
  int64_t in_channels() const { return in_; }
  int64_t out_channels() const { return out_; }
  int64_t kernel() const { return kernel_; }
  int64_t stride() const { return stride_; }
  int64_t padding() const { return padding_; }

 private:
  int dims_;
  int64_t in_, out_, kernel_, stride_, padding_;
  Tensor weight_, bias_;
};

// weight [in, out, k, k(, k)], bias [out]. Output size per axis:
// (n - 1) * stride - 2 * padding + kernel + output_padding.
class ConvTranspose : public Module {
 public:
  ConvTranspose(int dims, int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride = 1,
                int64_t padding = 0, int64_t output_padding = 0, bool bias = true, DType dtype = DType::float32);
  std::string type_name() const override;
  Tensor forward(const Tensor& x) override;

  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }
  int dims() const { return dims_; }
  int64_t in_channels() const { return in_; }
  int64_t out_channels() const { return out_; }
  int64_t kernel() const { return kernel_; }
  int64_t stride() const { return stride_; }
  int64_t padding() const { return padding_; }
  int64_t output_padding() const { return output_padding_; }

 private:
  int dims_;
  int64_t in_, out_, kernel_, stride_, padding_, output_padding_;
  Tensor weight_, bias_;
};

}  // namespace revgan::nn
