// Batch norm, as PyTorch's F.batch_norm: per-channel statistics over the batch and spatial
// axes. Training mode normalises with the batch statistics (biased variance) and, when running
// buffers are given, updates them in place: running = (1 - momentum) * running + momentum *
// batch, the variance unbiased. Eval mode normalises with the running statistics.
#pragma once

#include "engine/tensor/tensor.hpp"

namespace revgan::ops {

struct BatchNormOptions {
  bool training = true;
  double momentum = 0.1;
  double eps = 1e-5;
};

// x [N, C, spatial...] (rank 3 to 5); weight, bias [C] or undefined (no affine);
// running_mean, running_var [C] or undefined (required in eval mode). The running buffers are
// never differentiated; weight and bias are.
Tensor batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, const BatchNormOptions& options = {});

}  // namespace revgan::ops
