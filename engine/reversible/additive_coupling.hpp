// The additive coupling block of RevNet/RevGAN over any pair of modules F and G:
//   forward  y1 = x1 + F(x2),  y2 = x2 + G(y1)      (x1, x2: first and second channel halves)
//   inverse  x2 = y2 - G(y1),  x1 = y1 - F(x2)
// F and G map C/2 channels to C/2 channels and may be any modules (2D or 3D). The inverse is
// exact up to float rounding whatever F and G are.
#pragma once

#include <memory>

#include "engine/reversible/coupling.hpp"

namespace revgan::reversible {

class AdditiveCoupling : public Coupling {
 public:
  AdditiveCoupling(std::shared_ptr<nn::Module> f, std::shared_ptr<nn::Module> g);
  std::string type_name() const override { return "AdditiveCoupling"; }

  Tensor forward(const Tensor& x) override;
  Tensor inverse(const Tensor& y) override;
  Reconstructed backward_from_output(const Tensor& output, const Tensor& grad_output, Direction direction) override;
};

}  // namespace revgan::reversible
