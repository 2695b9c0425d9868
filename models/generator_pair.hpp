// The interface every two-way generator set offers (RevGAN 2D/3D, a CycleGAN pair), so that
// training code can drive either without knowing whether the directions share a core; and the
// size options every generator has.
#pragma once

#include <cstdint>

#include "engine/nn/module.hpp"

namespace revgan::models {

// What every generator's options start with; each generator adds its own fields.
struct GeneratorShape {
  int64_t input_nc = 3;   // channels of domain X
  int64_t output_nc = 3;  // channels of domain Y
  int64_t ngf = 64;       // width K
  int64_t depth = 9;      // R blocks (coupling or residual)
  DType dtype = DType::float32;
  uint64_t seed = 0;  // weights ~ N(0, init_std), biases 0, drawn in parameter-path order
  double init_std = 0.02;
};

class GeneratorPair : public nn::Module {
 public:
  virtual Tensor g_xy(const Tensor& x) = 0;  // domain X -> domain Y
  virtual Tensor g_yx(const Tensor& y) = 0;  // domain Y -> domain X
  // Reversible cores only (no-op otherwise): the memory budget of the core's executor and its
  // reset before every training step (reversible::ReversibleSequence::set_memory_budget).
  virtual void set_memory_budget(int64_t bytes) {}
  virtual void reset_memory_budget() {}
};

}  // namespace revgan::models
