// The pieces every coupling block shares: channel halves and the local recompute-and-backprop
// of one branch on a detached leaf.
#include "engine/reversible/coupling.hpp"

#include "engine/autograd/backward.hpp"
#include "engine/autograd/grad_mode.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/channels.hpp"

namespace revgan::reversible {

Coupling::Coupling(std::shared_ptr<nn::Module> f, std::shared_ptr<nn::Module> g)
    : f_(register_module("f", std::move(f))), g_(register_module("g", std::move(g))) {}

Halves split_halves(const Tensor& t) {
  REVGAN_CHECK(t.dim() >= 3 && t.size(1) % 2 == 0,
               "coupling block: input {} must have an even number of channels (dim 1)", t.describe());
  const int64_t half = t.size(1) / 2;
  auto parts = ops::split_channels(t, {half, half});
  return {parts[0], parts[1]};
}

LocalGraph record_on_leaf(nn::Module& module, const Tensor& input) {
  EnableGradScope enable;
  LocalGraph g;
  g.leaf = input.detach();
  g.leaf.set_requires_grad(true);
  g.output = module.forward(g.leaf);
  return g;
}

Tensor back_propagate(LocalGraph& graph, const Tensor& grad_output) {
  Tensor g = run_backward_capturing({graph.output}, {grad_output}, {graph.leaf})[0];
  graph.output = Tensor();
  return g.defined() ? g : ops::zeros_like(graph.leaf);
}

}  // namespace revgan::reversible
