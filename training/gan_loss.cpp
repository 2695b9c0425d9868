// GAN criterion: targets built on the prediction's device and dtype.
#include "training/gan_loss.hpp"

#include "engine/ops/arithmetic.hpp"
#include "engine/ops/loss.hpp"

namespace revgan::training {

GanMode parse_gan_mode(const std::string& text) {
  if (text == "lsgan") return GanMode::lsgan;
  if (text == "vanilla") return GanMode::vanilla;
  REVGAN_FAIL("unknown gan_mode '{}' (expected lsgan or vanilla)", text);
}

Tensor GanLoss::operator()(const Tensor& prediction, bool target_is_real) const {
  const Tensor target =
      ops::full(prediction.shape(), target_is_real ? 1.0 : 0.0, prediction.dtype(), prediction.device());
  return mode_ == GanMode::lsgan ? ops::mse_loss(prediction, target) : ops::bce_loss(prediction, target);
}

}  // namespace revgan::training
