// The affine coupling block (Glow / MemCNN style) over any pair of modules F and G that map C/2
// channels to C channels, read as a scale logit a and a shift t (the output's channel halves):
//   forward  y1 = x1 * s_F + t_F,  (a_F, t_F) = F(x2)      s = sigmoid(a + 2), in (0, 1)
//            y2 = x2 * s_G + t_G,  (a_G, t_G) = G(y1)
//   inverse  x2 = (y2 - t_G) / s_G,  x1 = (y1 - t_F) / s_F
// The scale is positive and bounded (the +2 starts it near 0.88 for a ~ 0, so an untrained
// block shrinks rather than blows up, and dividing by it stays well conditioned). RevGAN's paper
// reports that this coupling trained worse than the additive one; it is here for that ablation.
#pragma once

#include <memory>

#include "engine/reversible/coupling.hpp"

namespace revgan::reversible {

class AffineCoupling : public Coupling {
 public:
  AffineCoupling(std::shared_ptr<nn::Module> f, std::shared_ptr<nn::Module> g);
  std::string type_name() const override { return "AffineCoupling"; }

  Tensor forward(const Tensor& x) override;
  Tensor inverse(const Tensor& y) override;
  Reconstructed backward_from_output(const Tensor& output, const Tensor& grad_output, Direction direction) override;

  // The shift added to the scale logit before the sigmoid.
  static constexpr double scale_logit_shift = 2.0;
};

}  // namespace revgan::reversible
