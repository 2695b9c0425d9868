// Reflection and replication padding of the spatial axes, 2D and 3D. pad_before / pad_after
// hold one value per spatial axis in (D,) H, W order, or one value for all axes.
#pragma once

#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::ops {

Tensor reflection_pad(const Tensor& x, const std::vector<int64_t>& pad_before, const std::vector<int64_t>& pad_after);
Tensor replication_pad(const Tensor& x, const std::vector<int64_t>& pad_before,
                       const std::vector<int64_t>& pad_after);
// Same padding on every side of every spatial axis.
Tensor reflection_pad(const Tensor& x, int64_t pad);
Tensor replication_pad(const Tensor& x, int64_t pad);

}  // namespace revgan::ops
