// Records which ops a test executable gradient-checks, so that one test can walk the op
// table and prove that no op was left without a finite-difference check.
#pragma once

#include <set>

#include "engine/ops/op_table.hpp"

namespace revgan::test {

std::set<ops::OpKind>& gradcheck_covered_ops();

struct GradcheckCoverage {
  explicit GradcheckCoverage(std::initializer_list<ops::OpKind> kinds) {
    for (auto k : kinds) gradcheck_covered_ops().insert(k);
  }
};

}  // namespace revgan::test

#define REVGAN_CONCAT_INNER(a, b) a##b
#define REVGAN_CONCAT(a, b) REVGAN_CONCAT_INNER(a, b)
// Place at namespace scope in the file that holds an op's gradient checks.
#define REVGAN_GRADCHECK_COVERS(...) \
  static const ::revgan::test::GradcheckCoverage REVGAN_CONCAT(revgan_coverage_, __LINE__){__VA_ARGS__}
