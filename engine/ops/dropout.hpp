// Dropout, as PyTorch's F.dropout: in training each element is zeroed with probability p and
// the rest scaled by 1 / (1 - p); in eval it is the identity. The mask comes from a seed drawn
// from our Generator (one draw per call) and is a pure function of (seed, index), so CPU and
// CUDA give the same mask and the backward recomputes it rather than storing it.
#pragma once

#include "engine/tensor/random.hpp"
#include "engine/tensor/tensor.hpp"

namespace revgan::ops {

Tensor dropout(const Tensor& x, double p, bool training, Generator& gen);

}  // namespace revgan::ops
