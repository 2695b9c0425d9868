// Instance norm without affine parameters: per (sample, channel) statistics over the spatial
// axes, biased variance, always per-instance (training and inference alike). Saves only its
// output and 1/std for the backward.
#pragma once

#include "engine/tensor/tensor.hpp"

namespace revgan::ops {

Tensor instance_norm(const Tensor& x, double eps = 1e-5);

}  // namespace revgan::ops
