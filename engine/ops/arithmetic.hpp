// Element-wise arithmetic on tensors of equal shape, tensor factories, and the in-place
// accumulation used by autograd and optimizers.
#pragma once

#include "engine/tensor/tensor.hpp"

namespace revgan::ops {

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor scale(const Tensor& x, double alpha);

Tensor full(const Shape& shape, double value, DType dtype = DType::float32, Device device = Device::cpu());
Tensor zeros(const Shape& shape, DType dtype = DType::float32, Device device = Device::cpu());
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);

// dst += alpha * src in place, not recorded by autograd.
void add_into(Tensor& dst, const Tensor& src, double alpha = 1.0);
// Sets every element of t to value in place, not recorded by autograd.
void fill_(Tensor& t, double value);

}  // namespace revgan::ops
