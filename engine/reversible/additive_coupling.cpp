// Additive coupling: the recorded forward and inverse, and the memory-saving backward of each
// direction (the one-pass RevNet algebra: rebuild a half, back-propagate through the branch that
// made it, move on to the other half).
#include "engine/reversible/additive_coupling.hpp"

#include "engine/ops/arithmetic.hpp"
#include "engine/ops/channels.hpp"

namespace revgan::reversible {

AdditiveCoupling::AdditiveCoupling(std::shared_ptr<nn::Module> f, std::shared_ptr<nn::Module> g)
    : Coupling(std::move(f), std::move(g)) {}

Tensor AdditiveCoupling::forward(const Tensor& x) {
  auto [x1, x2] = split_halves(x);
  Tensor y1 = ops::add(x1, f_->forward(x2));
  Tensor y2 = ops::add(x2, g_->forward(y1));
  return ops::concat_channels({y1, y2});
}

Tensor AdditiveCoupling::inverse(const Tensor& y) {
  auto [y1, y2] = split_halves(y);
  Tensor x2 = ops::sub(y2, g_->forward(y1));
  Tensor x1 = ops::sub(y1, f_->forward(x2));
  return ops::concat_channels({x1, x2});
}

Reconstructed AdditiveCoupling::backward_from_output(const Tensor& out, const Tensor& grad_out, Direction direction) {
  const Halves h = split_halves(out), dh = split_halves(grad_out);
  if (direction == Direction::forward) {
    // out = (y1, y2) = (x1 + F(x2), x2 + G(y1)).
    LocalGraph g = record_on_leaf(*g_, h.first);
    Tensor x2 = ops::sub(h.second, g.output);
    Tensor dy1 = ops::add(dh.first, back_propagate(g, dh.second));  // dL/dy1 through both paths
    LocalGraph f = record_on_leaf(*f_, x2);
    Tensor x1 = ops::sub(h.first, f.output);
    Tensor dx2 = ops::add(dh.second, back_propagate(f, dy1));
    return {ops::concat_channels({x1, x2}), ops::concat_channels({dy1, dx2})};
  }
  // The block ran inverse: out = (x1, x2) = (y1 - F(x2), y2 - G(y1)), so its input is (y1, y2).
  // F and G enter with a minus sign, so they back-propagate the negated gradients (their
  // parameters must accumulate -J^T dx, not J^T dx).
  LocalGraph f = record_on_leaf(*f_, h.second);
  Tensor y1 = ops::add(h.first, f.output);
  Tensor dy2 = ops::add(dh.second, back_propagate(f, ops::scale(dh.first, -1.0)));
  LocalGraph g = record_on_leaf(*g_, y1);
  Tensor y2 = ops::add(h.second, g.output);
  Tensor dy1 = ops::add(dh.first, back_propagate(g, ops::scale(dy2, -1.0)));
  return {ops::concat_channels({y1, y2}), ops::concat_channels({dy1, dy2})};
}

}  // namespace revgan::reversible
