// The one tolerance helper: compares two value arrays and reports max abs error, max relative
// error (relative to the reference's max magnitude) and the share of the allowed error used.
// Named tolerances live here, each with its reason.
#pragma once

#include <string>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::test {

struct Comparison {
  double max_abs_error = 0;
  double reference_scale = 0;  // max |reference|
  double max_rel_error = 0;    // max_abs_error / max(reference_scale, tiny)
  double allowed_rel_error = 0;
  bool ok = false;
  std::string report() const;  // one line, for Catch2's INFO
};

// Pass when max |actual - reference| <= allowed_rel_error * max |reference| (floored at 1e-30).
Comparison compare(const std::vector<double>& actual, const std::vector<double>& reference, double allowed_rel_error);
Comparison compare(const Tensor& actual, const Tensor& reference, double allowed_rel_error);

namespace tolerance {
// float32 kernels against float64 PyTorch results: rounding of O(100)-term sums in float32.
inline constexpr double golden_float32 = 1e-5;
// float64 kernels against float64 PyTorch: only summation order differs.
inline constexpr double golden_float64 = 1e-11;
// Central finite differences in float64 with h = 1e-6: truncation O(h^2) plus rounding O(eps/h).
inline constexpr double finite_difference = 1e-6;
}  // namespace tolerance

}  // namespace revgan::test

#define REVGAN_REQUIRE_CLOSE(comparison)      \
  do {                                        \
    auto revgan_cmp_ = (comparison);          \
    INFO(revgan_cmp_.report());               \
    REQUIRE(revgan_cmp_.ok);                  \
  } while (0)
