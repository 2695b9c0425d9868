// Activations. Each backward uses only the forward output, so only the output is saved.
#pragma once

#include "engine/tensor/tensor.hpp"

namespace revgan::ops {

Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double slope = 0.2);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);

}  // namespace revgan::ops
