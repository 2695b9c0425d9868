// Storage for the gradient-check coverage registry.
#include "tests/support/coverage.hpp"

namespace revgan::test {

std::set<ops::OpKind>& gradcheck_covered_ops() {
  static std::set<ops::OpKind> covered;
  return covered;
}

}  // namespace revgan::test
