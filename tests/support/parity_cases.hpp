// The CUDA parity table: every op family's CPU-vs-CUDA cases, each naming the ops it checks.
// tests/ops/test_op_table.cpp walks the op table against it (in every build, CPU-only included),
// so no op can land without a CUDA parity case; tests/cuda/test_cuda_parity.cpp runs each family
// on a device, and the harness fails a case whose CUDA run never reaches an op it names.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/ops/op_table.hpp"
#include "tests/support/parity.hpp"

namespace revgan::test {

struct ParityFamily {
  std::string name;  // the CUDA test case is "cuda parity: <name>"
  std::vector<ParityCase> cases;
};

const std::vector<ParityFamily>& parity_families();
const ParityFamily& parity_family(std::string_view name);
// The ops named by at least one case.
std::set<ops::OpKind> parity_covered_ops();

}  // namespace revgan::test
