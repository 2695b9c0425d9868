// Named scalar losses of one training step, in a fixed order per model (loss logs and progress
// lines keep the order), plus the tensors a step produced for sample grids.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::training {

struct StepLosses {
  std::vector<std::pair<std::string, double>> values;

  void set(const std::string& name, double value);
  bool has(const std::string& name) const;
  double get(const std::string& name) const;  // throws naming the loss when absent
  std::vector<std::string> names() const;
};

// Ordered name -> detached tensor ([N, C, H, W] in [-1, 1], or [N, C, D, H, W] for volumes):
// real_A, fake_B, rec_A, idt_B, real_B, fake_A, rec_B, idt_A (those the model computes).
using Visuals = std::vector<std::pair<std::string, Tensor>>;

}  // namespace revgan::training
