// Losses with mean reduction, returning a one-element tensor (shape [1]). The target never
// receives a gradient.
#pragma once

#include "engine/tensor/tensor.hpp"

namespace revgan::ops {

Tensor l1_loss(const Tensor& x, const Tensor& target);
Tensor mse_loss(const Tensor& x, const Tensor& target);
// BCE on probabilities in [0, 1]; each log is clamped at -100 (PyTorch's convention).
Tensor bce_loss(const Tensor& p, const Tensor& target);
// Numerically stable BCE on logits.
Tensor bce_with_logits_loss(const Tensor& logits, const Tensor& target);

}  // namespace revgan::ops
