// The cross-backend harness: an op case is a function of input tensors run once on the CPU and
// once on CUDA from the same values; outputs and the gradients of every differentiable input
// (back-propagated from the same random upstream gradients) must agree within a tolerance, and
// the CUDA run must reach the CUDA kernels of every op the case names. The cases themselves are
// the parity table of parity_cases.hpp.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/ops/op_table.hpp"
#include "engine/tensor/tensor.hpp"

namespace revgan::test {

struct ParityInput {
  Shape shape;
  double lo = 0, hi = 0;  // uniform in [lo, hi) when lo < hi, else normal(0, 1)
  bool grad = true;       // compare this input's gradient
};

struct ParityCase {
  std::string name;
  std::vector<ops::OpKind> ops;  // the ops whose CUDA kernels (forward and backward) this case checks
  std::vector<ParityInput> inputs;
  std::function<std::vector<Tensor>(const std::vector<Tensor>&)> run;
  double float32_tolerance = 0;  // 0: tolerance::cuda_float32
};

// Runs `c` on both backends in `dtype` and checks outputs and gradients (Catch2 assertions).
void check_parity(const ParityCase& c, DType dtype);

// check_parity for every case, float32 and float64, each in its own Catch2 section.
void check_parity_all(const std::vector<ParityCase>& cases);

}  // namespace revgan::test
