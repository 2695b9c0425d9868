// Channel (dim 1) concatenation, split and slicing of N,C,... tensors.
#pragma once

#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::ops {

Tensor concat_channels(const std::vector<Tensor>& parts);
// Splits into consecutive channel groups of the given sizes (summing to C).
std::vector<Tensor> split_channels(const Tensor& x, const std::vector<int64_t>& sizes);
// Channels [start, start + length).
Tensor slice_channels(const Tensor& x, int64_t start, int64_t length);

}  // namespace revgan::ops
