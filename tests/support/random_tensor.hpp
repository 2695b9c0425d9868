// Seeded random tensors for tests.
#pragma once

#include <cstdint>

#include "engine/tensor/tensor.hpp"

namespace revgan::test {

// Normal(0, std) values from a fixed seed.
Tensor random_normal(const Shape& shape, uint64_t seed, DType dtype = DType::float64, double std = 1.0);
// Uniform in [lo, hi).
Tensor random_uniform(const Shape& shape, uint64_t seed, double lo, double hi, DType dtype = DType::float64);
Tensor from_values(const Shape& shape, const std::vector<double>& values, DType dtype = DType::float64);

}  // namespace revgan::test
