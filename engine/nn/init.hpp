// Deterministic parameter initialisation. Parameters are visited in named_parameters()
// order and values drawn from the portable Generator, so a seed fixes the weights everywhere.
#pragma once

#include <string>

#include "engine/nn/module.hpp"
#include "engine/tensor/random.hpp"

namespace revgan::nn {

// True for parameters whose last path component is "bias".
bool is_bias(const std::string& path);

// Every weight ~ N(0, std) (row-major draws, computed in double then rounded to the dtype),
// every bias = 0. Biases draw nothing, so adding or removing one does not shift the weights.
void init_normal(Module& module, Generator& gen, double std = 0.02);
// Every parameter of `module` (and its submodules) = 0; e.g. a residual branch's last conv,
// so that a reversible block starts as the identity.
void init_zeros(Module& module);

}  // namespace revgan::nn
