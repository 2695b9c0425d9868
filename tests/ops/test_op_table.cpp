// Walks the op table: every op must have a finite-difference gradient check in this
// executable, at least one PyTorch golden case in tests/golden/ops.h5, and a CUDA parity case in
// the parity table (tests/support/parity_cases.cpp; checked in every build, CPU-only included).
#include <catch2/catch.hpp>

#include "tests/support/coverage.hpp"
#include "tests/support/golden_file.hpp"
#include "tests/support/parity_cases.hpp"

using namespace revgan;

TEST_CASE("every op in the op table has a float64 gradient check", "[op][grad]") {
  const auto& covered = test::gradcheck_covered_ops();
  for (const auto& info : ops::op_table) {
    INFO("op " << info.name << " has no REVGAN_GRADCHECK_COVERS entry");
    CHECK(covered.count(info.kind) == 1);
  }
}

TEST_CASE("every op in the op table has a PyTorch golden case", "[op]") {
  auto cases = test::load_golden_cases(test::golden_path());
  for (const auto& info : ops::op_table) {
    bool found = false;
    for (const auto& c : cases) found = found || c.op == info.name;
    INFO("op " << info.name << " has no case in " << test::golden_path());
    CHECK(found);
  }
}

TEST_CASE("every op in the op table has a CUDA parity case", "[op][parity]") {
  const auto covered = test::parity_covered_ops();
  for (const auto& info : ops::op_table) {
    INFO("op " << info.name << " has no CUDA parity case naming it in tests/support/parity_cases.cpp");
    CHECK(covered.count(info.kind) == 1);
  }
}
