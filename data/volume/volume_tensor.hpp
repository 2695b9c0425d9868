// Volumes to and from engine tensors: [C, D, H, W] float32 on the CPU.
#pragma once

#include "data/volume/volume.hpp"
#include "engine/tensor/tensor.hpp"

namespace revgan::data {

Tensor volume_to_tensor(const Volume& volume);
// From [C, D, H, W] or [1, C, D, H, W] (any device); geometry and intensity scale come from
// `like`, e.g. the input volume of an inference.
Volume tensor_to_volume(const Tensor& tensor, const VolumeGeometry& geometry = {}, const IntensityScale& intensity = {});

}  // namespace revgan::data
