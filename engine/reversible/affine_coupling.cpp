// Affine coupling: the recorded forward and inverse, and the memory-saving backward of each
// direction. The backward records only the branch network on a detached leaf; the scale and
// shift arithmetic around it is differentiated by hand (ds/da = s (1 - s)), so the local graph
// is the same as the additive block's and the branch's gradient arrives as one tensor (d a, d t).
#include "engine/reversible/affine_coupling.hpp"

#include "engine/ops/activation.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/channels.hpp"

namespace revgan::reversible {

namespace {

struct ScaleShift {
  Tensor scale;  // sigmoid(a + 2)
  Tensor shift;
};

// The branch output z read as (a, t); recorded when grad mode is on.
ScaleShift scale_shift(const Tensor& z) {
  const Halves h = split_halves(z);
  const Tensor bias = ops::full(h.first.shape(), AffineCoupling::scale_logit_shift, h.first.dtype(), h.first.device());
  return {ops::sigmoid(ops::add(h.first, bias)), h.second};
}

// x * s + t and its inverse (y - t) / s.
Tensor apply(const Tensor& x, const ScaleShift& p) { return ops::add(ops::mul(x, p.scale), p.shift); }
Tensor unapply(const Tensor& y, const ScaleShift& p) { return ops::mul(ops::sub(y, p.shift), ops::reciprocal(p.scale)); }

// dL/dz for z = (a, t), given dL/ds and dL/dt: ds/da = s (1 - s).
Tensor grad_of_branch_output(const ScaleShift& p, const Tensor& grad_scale, const Tensor& grad_shift) {
  const Tensor ds_da = ops::mul(p.scale, ops::sub(ops::ones_like(p.scale), p.scale));
  return ops::concat_channels({ops::mul(grad_scale, ds_da), grad_shift});
}

}  // namespace

AffineCoupling::AffineCoupling(std::shared_ptr<nn::Module> f, std::shared_ptr<nn::Module> g)
    : Coupling(std::move(f), std::move(g)) {}

Tensor AffineCoupling::forward(const Tensor& x) {
  auto [x1, x2] = split_halves(x);
  Tensor y1 = apply(x1, scale_shift(f_->forward(x2)));
  Tensor y2 = apply(x2, scale_shift(g_->forward(y1)));
  return ops::concat_channels({y1, y2});
}

Tensor AffineCoupling::inverse(const Tensor& y) {
  auto [y1, y2] = split_halves(y);
  Tensor x2 = unapply(y2, scale_shift(g_->forward(y1)));
  Tensor x1 = unapply(y1, scale_shift(f_->forward(x2)));
  return ops::concat_channels({x1, x2});
}

Reconstructed AffineCoupling::backward_from_output(const Tensor& out, const Tensor& grad_out, Direction direction) {
  const Halves h = split_halves(out), dh = split_halves(grad_out);
  if (direction == Direction::forward) {
    // out = (y1, y2): y2 = x2 s_G + t_G with (s_G, t_G) from G(y1), y1 = x1 s_F + t_F from F(x2).
    LocalGraph g = record_on_leaf(*g_, h.first);
    const ScaleShift pg = scale_shift(g.output.detach());
    Tensor x2 = unapply(h.second, pg);
    // dL/ds_G = dy2 x2, dL/dt_G = dy2; dL/dx2 (direct) = dy2 s_G.
    Tensor dy1 = ops::add(dh.first, back_propagate(g, grad_of_branch_output(pg, ops::mul(dh.second, x2), dh.second)));
    Tensor dx2 = ops::mul(dh.second, pg.scale);
    LocalGraph f = record_on_leaf(*f_, x2);
    const ScaleShift pf = scale_shift(f.output.detach());
    Tensor x1 = unapply(h.first, pf);
    dx2 = ops::add(dx2, back_propagate(f, grad_of_branch_output(pf, ops::mul(dy1, x1), dy1)));
    Tensor dx1 = ops::mul(dy1, pf.scale);
    return {ops::concat_channels({x1, x2}), ops::concat_channels({dx1, dx2})};
  }
  // The block ran inverse: out = (x1, x2) with x1 = (y1 - t_F) / s_F, (s_F, t_F) from F(x2), and
  // x2 = (y2 - t_G) / s_G from G(y1); its input was (y1, y2).
  // For x = (y - t) / s: dL/dy = dx / s, dL/dt = -dx / s, dL/ds = -dx x / s.
  LocalGraph f = record_on_leaf(*f_, h.second);
  const ScaleShift pf = scale_shift(f.output.detach());
  Tensor y1 = apply(h.first, pf);
  const Tensor dx1_over_s = ops::mul(dh.first, ops::reciprocal(pf.scale));
  Tensor dx2 = ops::add(
      dh.second, back_propagate(f, grad_of_branch_output(pf, ops::scale(ops::mul(dx1_over_s, h.first), -1.0),
                                                         ops::scale(dx1_over_s, -1.0))));
  Tensor dy1 = dx1_over_s;
  LocalGraph g = record_on_leaf(*g_, y1);
  const ScaleShift pg = scale_shift(g.output.detach());
  Tensor y2 = apply(h.second, pg);
  const Tensor dx2_over_s = ops::mul(dx2, ops::reciprocal(pg.scale));
  dy1 = ops::add(dy1, back_propagate(g, grad_of_branch_output(pg, ops::scale(ops::mul(dx2_over_s, h.second), -1.0),
                                                              ops::scale(dx2_over_s, -1.0))));
  return {ops::concat_channels({y1, y2}), ops::concat_channels({dy1, dx2_over_s})};
}

}  // namespace revgan::reversible
