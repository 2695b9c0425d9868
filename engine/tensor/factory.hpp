// Tensors made from host values or a generator.
#pragma once

#include <vector>

#include "engine/tensor/random.hpp"
#include "engine/tensor/tensor.hpp"

namespace revgan {

Tensor tensor_from_values(const Shape& shape, const std::vector<double>& values, DType dtype = DType::float32,
                          Device device = Device::cpu());
// Normal(mean, std) values drawn from `gen` in row-major order (same values on every device).
Tensor randn(const Shape& shape, Generator& gen, double mean = 0.0, double std = 1.0, DType dtype = DType::float32,
             Device device = Device::cpu());

}  // namespace revgan
