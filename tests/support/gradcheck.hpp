// Finite-difference gradient check in float64: compares autograd's vector-Jacobian product
// with central differences of <w, f(x)> for fixed random weights w on every output.
#pragma once

#include <functional>
#include <vector>

#include "engine/tensor/tensor.hpp"
#include "tests/support/tolerance.hpp"

namespace revgan::test {

using MultiFunction = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

struct GradcheckResult {
  std::vector<Comparison> per_input;  // one per differentiable input
  bool ok() const;
  std::string report() const;
};

// `inputs` must be float64 CPU tensors; only those with differentiable[i] are perturbed.
GradcheckResult gradcheck(const MultiFunction& f, const std::vector<Tensor>& inputs,
                          const std::vector<bool>& differentiable, double step = 1e-6,
                          double allowed_rel_error = tolerance::finite_difference);

// Single-output convenience.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& inputs, const std::vector<bool>& differentiable,
                          double step = 1e-6, double allowed_rel_error = tolerance::finite_difference);

}  // namespace revgan::test

#define REVGAN_REQUIRE_GRADCHECK(result)   \
  do {                                     \
    auto revgan_gc_ = (result);            \
    INFO(revgan_gc_.report());             \
    REQUIRE(revgan_gc_.ok());              \
  } while (0)
