// The interface every two-way generator set offers (RevGAN 2D/3D, a CycleGAN pair), so that
// training code can drive either without knowing whether the directions share a core.
#pragma once

#include "engine/nn/module.hpp"

namespace revgan::models {

class GeneratorPair : public nn::Module {
 public:
  virtual Tensor g_xy(const Tensor& x) = 0;  // domain X -> domain Y
  virtual Tensor g_yx(const Tensor& y) = 0;  // domain Y -> domain X
};

}  // namespace revgan::models
