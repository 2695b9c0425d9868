// Full reductions to a one-element tensor (shape [1]); deterministic summation order.
#pragma once

#include "engine/tensor/tensor.hpp"

namespace revgan::ops {

Tensor sum(const Tensor& x);
Tensor mean(const Tensor& x);

}  // namespace revgan::ops
