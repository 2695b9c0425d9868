// Linear up-sampling of the spatial axes (bilinear 2D, trilinear 3D), align_corners=False.
#pragma once

#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::ops {

// `size` is the output spatial size ((D,) H, W).
Tensor upsample_linear(const Tensor& x, const std::vector<int64_t>& size);

}  // namespace revgan::ops
