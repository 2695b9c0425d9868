// Plain copies: Volume and the engine share the row-major [C, D, H, W] layout.
#include "data/volume/volume_tensor.hpp"

#include <algorithm>

#include "engine/core/check.hpp"

namespace revgan::data {

Tensor volume_to_tensor(const Volume& volume) {
  REVGAN_CHECK(volume.numel() > 0 && volume.data.size() == static_cast<std::size_t>(volume.numel()),
               "volume_to_tensor: the volume is empty or its data does not match {}x{}x{}x{}", volume.channels,
               volume.depth, volume.height, volume.width);
  Tensor t = Tensor::empty({volume.channels, volume.depth, volume.height, volume.width});
  std::copy(volume.data.begin(), volume.data.end(), t.data<float>());
  return t;
}

Volume tensor_to_volume(const Tensor& tensor, const VolumeGeometry& geometry, const IntensityScale& intensity) {
  REVGAN_CHECK(tensor.defined() && tensor.dtype() == DType::float32 &&
                   (tensor.dim() == 4 || (tensor.dim() == 5 && tensor.size(0) == 1)),
               "tensor_to_volume: expected a float32 [C, D, H, W] or [1, C, D, H, W] tensor, got {}",
               tensor.defined() ? tensor.describe() : "undefined");
  const Tensor host = tensor.detach().to(Device::cpu());
  const int o = tensor.dim() - 4;
  Volume v = Volume::blank(host.size(o), host.size(o + 1), host.size(o + 2), host.size(o + 3));
  const float* src = host.data<float>();
  std::copy(src, src + v.numel(), v.data.begin());
  v.geometry = geometry;
  v.intensity = intensity;
  return v;
}

}  // namespace revgan::data
