// Runs one PyTorch golden case (tests/golden/ops.h5) through the engine op it names: builds the
// inputs in a chosen dtype, runs forward and backward, returns outputs and input gradients.
#pragma once

#include <vector>

#include "engine/ops/op_table.hpp"
#include "tests/support/golden_file.hpp"

namespace revgan::test {

struct GoldenResult {
  std::vector<Tensor> outputs;      // detached, one per case output
  std::vector<Tensor> grad_inputs;  // one per case input; undefined where the case has no grad_input
};

// The op table row named by case.op; throws revgan::Error naming the case for an unknown op.
ops::OpKind golden_op_kind(const GoldenCase& c);

// Inputs are converted to `dtype`; those with a reference grad_input require grad. Backward
// uses the stored grad_outputs (converted to `dtype`). Throws revgan::Error, naming the case,
// for an unknown op, a missing attribute or an unexpected number of inputs or outputs.
GoldenResult run_golden_case(const GoldenCase& c, DType dtype);

}  // namespace revgan::test
