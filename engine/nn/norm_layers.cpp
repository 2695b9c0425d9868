// BatchNorm and Dropout modules over ops::batch_norm and ops::dropout.
#include "engine/nn/norm_layers.hpp"

#include "engine/ops/arithmetic.hpp"
#include "engine/ops/batch_norm.hpp"
#include "engine/ops/dropout.hpp"

namespace revgan::nn {

BatchNorm::BatchNorm(int64_t channels, double eps, double momentum, bool affine, DType dtype)
    : channels_(channels), eps_(eps), momentum_(momentum) {
  REVGAN_CHECK(channels > 0, "BatchNorm: channels must be positive, got {}", channels);
  if (affine) {
    weight_ = register_parameter("weight", ops::full({channels}, 1.0, dtype));
    bias_ = register_parameter("bias", Shape{channels}, dtype);
  }
  running_mean_ = register_buffer("running_mean", ops::zeros({channels}, dtype));
  running_var_ = register_buffer("running_var", ops::full({channels}, 1.0, dtype));
  num_batches_tracked_ = register_buffer("num_batches_tracked", ops::zeros(Shape{1}, DType::float64));
}

Tensor BatchNorm::forward(const Tensor& x) {
  ops::BatchNormOptions o;
  o.training = is_training();
  o.eps = eps_;
  o.momentum = momentum_;
  // The buffers follow x's dtype only if built that way; a mismatch is the op's error.
  Tensor y = ops::batch_norm(x, weight_, bias_, running_mean_, running_var_, o);
  if (o.training) {
    Tensor counter = num_batches_tracked_;
    Tensor host = counter.to(Device::cpu());
    host.data<double>()[0] += 1;
    counter.copy_from(host);
  }
  return y;
}

Dropout::Dropout(double p, uint64_t seed) : p_(p), gen_(seed) {
  REVGAN_CHECK(p >= 0 && p <= 1, "Dropout: p must be in [0, 1], got {}", p);
}

Tensor Dropout::forward(const Tensor& x) {
  return ops::dropout(x, p_, is_training(), gen_);
}

}  // namespace revgan::nn
