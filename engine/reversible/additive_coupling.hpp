// The additive coupling block of RevNet/RevGAN over any pair of modules F and G:
//   forward  y1 = x1 + F(x2),  y2 = x2 + G(y1)      (x1, x2: first and second channel halves)
//   inverse  x2 = y2 - G(y1),  x1 = y1 - F(x2)
// F and G map C/2 channels to C/2 channels and may be any modules (2D or 3D).
#pragma once

#include <memory>

#include "engine/nn/module.hpp"

namespace revgan::reversible {

class AdditiveCoupling : public nn::Module {
 public:
  AdditiveCoupling(std::shared_ptr<nn::Module> f, std::shared_ptr<nn::Module> g);
  std::string type_name() const override { return "AdditiveCoupling"; }

  // Recorded by autograd like any other op chain (every activation of F and G is kept).
  Tensor forward(const Tensor& x) override;
  Tensor inverse(const Tensor& y);

  nn::Module& f() { return *f_; }
  nn::Module& g() { return *g_; }

 private:
  std::shared_ptr<nn::Module> f_;
  std::shared_ptr<nn::Module> g_;
};

// Channel halves of a block's tensor; checks that the channel count is even.
struct Halves {
  Tensor first;
  Tensor second;
};
Halves split_halves(const Tensor& t);

}  // namespace revgan::reversible
