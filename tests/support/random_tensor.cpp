// Seeded random tensors for tests, drawn from the engine's portable generator.
#include "tests/support/random_tensor.hpp"

#include "engine/tensor/factory.hpp"

namespace revgan::test {

Tensor random_normal(const Shape& shape, uint64_t seed, DType dtype, double std) {
  Generator gen(seed);
  std::vector<double> v(static_cast<std::size_t>(shape.numel()));
  for (double& x : v) x = std * gen.normal();
  return from_values(shape, v, dtype);
}

Tensor random_uniform(const Shape& shape, uint64_t seed, double lo, double hi, DType dtype) {
  Generator gen(seed);
  std::vector<double> v(static_cast<std::size_t>(shape.numel()));
  for (double& x : v) x = lo + (hi - lo) * gen.uniform();
  return from_values(shape, v, dtype);
}

Tensor from_values(const Shape& shape, const std::vector<double>& values, DType dtype) {
  return tensor_from_values(shape, values, dtype);
}

}  // namespace revgan::test
