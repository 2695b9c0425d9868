// Tolerance comparisons for tests.
#include "tests/support/tolerance.hpp"

#include <algorithm>
#include <cmath>

#include <catch2/catch.hpp>

namespace revgan::test {

std::string Comparison::report() const {
  return fmt::format("max abs error {:.3e}, reference scale {:.3e}, max rel error {:.3e}, allowed {:.1e} ({:.1f}% used)",
                     max_abs_error, reference_scale, max_rel_error, allowed_rel_error,
                     allowed_rel_error > 0 ? 100.0 * max_rel_error / allowed_rel_error : 0.0);
}

Comparison compare(const std::vector<double>& actual, const std::vector<double>& reference, double allowed) {
  Comparison c;
  c.allowed_rel_error = allowed;
  if (actual.size() != reference.size()) {
    c.max_abs_error = INFINITY;
    c.max_rel_error = INFINITY;
    return c;
  }
  bool finite = true;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    c.max_abs_error = std::max(c.max_abs_error, std::abs(actual[i] - reference[i]));
    c.reference_scale = std::max(c.reference_scale, std::abs(reference[i]));
    finite = finite && std::isfinite(actual[i]);
  }
  c.max_rel_error = c.max_abs_error / std::max(c.reference_scale, 1e-30);
  c.ok = finite && c.max_rel_error <= allowed;
  return c;
}

Comparison compare(const Tensor& actual, const Tensor& reference, double allowed) {
  if (actual.shape() != reference.shape()) {
    Comparison c;
    c.allowed_rel_error = allowed;
    c.max_abs_error = c.max_rel_error = INFINITY;
    return c;
  }
  return compare(actual.to_vector(), reference.to_vector(), allowed);
}

}  // namespace revgan::test
