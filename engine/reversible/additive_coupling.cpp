// Additive coupling, recorded through ordinary ops (the stored-activation path).
#include "engine/reversible/additive_coupling.hpp"

#include "engine/ops/arithmetic.hpp"
#include "engine/ops/channels.hpp"

namespace revgan::reversible {

AdditiveCoupling::AdditiveCoupling(std::shared_ptr<nn::Module> f, std::shared_ptr<nn::Module> g)
    : f_(register_module("f", std::move(f))), g_(register_module("g", std::move(g))) {}

Halves split_halves(const Tensor& t) {
  REVGAN_CHECK(t.dim() >= 3 && t.size(1) % 2 == 0,
               "additive coupling: input {} must have an even number of channels (dim 1)", t.describe());
  int64_t half = t.size(1) / 2;
  auto parts = ops::split_channels(t, {half, half});
  return {parts[0], parts[1]};
}

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

}  // namespace revgan::reversible
