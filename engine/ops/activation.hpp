// Activations and the reciprocal: element-wise functions of one tensor whose backward needs one
// tensor (the output, or for relu / leaky_relu the input).
#pragma once

#include "engine/tensor/tensor.hpp"

namespace revgan::ops {

Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double slope = 0.2);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
// 1 / x element-wise (IEEE: 1 / 0 = inf); the inverse of the affine coupling divides with it.
Tensor reciprocal(const Tensor& x);

}  // namespace revgan::ops
