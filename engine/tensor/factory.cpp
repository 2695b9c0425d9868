// Tensor factories that fill host memory, then move to the target device.
#include "engine/tensor/factory.hpp"

namespace revgan {

Tensor tensor_from_values(const Shape& shape, const std::vector<double>& values, DType dtype, Device device) {
  REVGAN_CHECK(static_cast<int64_t>(values.size()) == shape.numel(), "tensor_from_values: {} values for shape {}",
               values.size(), shape.str());
  Tensor host = Tensor::empty(shape, dtype, Device::cpu());
  dispatch_floating(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = host.data<T>();
    for (std::size_t i = 0; i < values.size(); ++i) p[i] = static_cast<T>(values[i]);
  });
  return host.to(device);
}

Tensor randn(const Shape& shape, Generator& gen, double mean, double std, DType dtype, Device device) {
  std::vector<double> values(static_cast<std::size_t>(shape.numel()));
  for (double& v : values) v = mean + std * gen.normal();
  return tensor_from_values(shape, values, dtype, device);
}

}  // namespace revgan
