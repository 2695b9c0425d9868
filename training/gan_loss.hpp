// The adversarial criterion: LSGAN (MSE of the discriminator output to 1 / 0) for unpaired
// models, vanilla (BCE on the sigmoid output of the discriminator) for paired ones.
#pragma once

#include <string>

#include "engine/tensor/tensor.hpp"

namespace revgan::training {

enum class GanMode { lsgan, vanilla };
GanMode parse_gan_mode(const std::string& text);

class GanLoss {
 public:
  explicit GanLoss(GanMode mode) : mode_(mode) {}
  // Mean loss of `prediction` against an all-`target_is_real` target of its shape ([1] tensor).
  Tensor operator()(const Tensor& prediction, bool target_is_real) const;
  GanMode mode() const { return mode_; }

 private:
  GanMode mode_;
};

}  // namespace revgan::training
