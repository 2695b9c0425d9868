// The memory-saving executor (the one-pass RevNet backward). The forward runs with autograd
// off and keeps only the sequence's output; one node then walks the blocks in reverse, and for
// each block recomputes G and F once with gradient tracking on a detached half, back-propagates
// through that small local graph (parameters accumulate, the half's gradient is captured) and
// rebuilds the block's input from its output. Nothing but the current block's tensors is alive.
#include "engine/autograd/backward.hpp"
#include "engine/autograd/grad_mode.hpp"
#include "engine/autograd/node.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/channels.hpp"
#include "engine/reversible/reversible_sequence.hpp"

namespace revgan::reversible {

namespace {

using Blocks = std::vector<std::shared_ptr<AdditiveCoupling>>;

struct Step {
  Tensor input;       // the block's reconstructed input
  Tensor grad_input;  // the loss gradient with respect to it
};

// Evaluates `module` on a fresh leaf copy of `half` with recording on; returns the output and
// the leaf, whose gradient run_backward_capturing will hand back.
struct Recomputed {
  Tensor leaf;
  Tensor output;
};
Recomputed recompute(nn::Module& module, const Tensor& half) {
  EnableGradScope enable;
  Recomputed r;
  r.leaf = half.detach();
  r.leaf.set_requires_grad(true);
  r.output = module.forward(r.leaf);
  return r;
}

// Back-propagates `grad` through a recomputed module: its parameters accumulate and the
// gradient with respect to its input half is returned (zeros if none arrived).
Tensor backprop(Recomputed& r, const Tensor& grad) {
  Tensor g = run_backward_capturing({r.output}, {grad}, {r.leaf})[0];
  r.output = Tensor();
  return g.defined() ? g : ops::zeros_like(r.leaf);
}

// Backward through one block that ran forward: y = (x1 + F(x2), x2 + G(y1)).
Step backward_forward_block(AdditiveCoupling& block, const Tensor& y, const Tensor& dy) {
  Halves yh = split_halves(y), dyh = split_halves(dy);
  Recomputed g = recompute(block.g(), yh.first);
  Tensor x2 = ops::sub(yh.second, g.output);
  Tensor dz = ops::add(dyh.first, backprop(g, dyh.second));  // dL/dy1 through both paths
  Recomputed f = recompute(block.f(), x2);
  Tensor x1 = ops::sub(yh.first, f.output);
  Tensor dx2 = ops::add(dyh.second, backprop(f, dz));
  return {ops::concat_channels({x1, x2}), ops::concat_channels({dz, dx2})};
}

// Backward through one block that ran inverse: x2 = y2 - G(y1), x1 = y1 - F(x2).
Step backward_inverse_block(AdditiveCoupling& block, const Tensor& x, const Tensor& dx) {
  Halves xh = split_halves(x), dxh = split_halves(dx);
  // F and G enter with a minus sign, so they back-propagate the negated gradients (their
  // parameters must accumulate -J^T dx, not J^T dx).
  Recomputed f = recompute(block.f(), xh.second);
  Tensor y1 = ops::add(xh.first, f.output);
  Tensor dz2 = ops::add(dxh.second, backprop(f, ops::scale(dxh.first, -1.0)));
  Recomputed g = recompute(block.g(), y1);
  Tensor y2 = ops::add(xh.second, g.output);
  Tensor dy1 = ops::add(dxh.first, backprop(g, ops::scale(dz2, -1.0)));
  return {ops::concat_channels({y1, y2}), ops::concat_channels({dy1, dz2})};
}

class ReversibleBackward final : public Node {
 public:
  ReversibleBackward(Blocks blocks, Direction direction, Tensor output)
      : blocks_(std::move(blocks)), direction_(direction), output_(std::move(output)) {}
  const char* name() const override { return "ReversibleSequenceBackward"; }

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    Tensor h = output_;
    Tensor dh = std::move(grads[0]);
    if (direction_ == Direction::forward) {
      for (auto it = blocks_.rbegin(); it != blocks_.rend(); ++it) {
        Step s = backward_forward_block(**it, h, dh);
        h = std::move(s.input);
        dh = std::move(s.grad_input);
      }
    } else {
      for (const auto& block : blocks_) {
        Step s = backward_inverse_block(*block, h, dh);
        h = std::move(s.input);
        dh = std::move(s.grad_input);
      }
    }
    return {needs_input_grad(0) ? dh : Tensor()};
  }
  void release_saved() override { output_ = Tensor(); }
  std::vector<Tensor> saved_tensors() const override { return {output_}; }

 private:
  Blocks blocks_;
  Direction direction_;
  Tensor output_;
};

bool any_parameter_requires_grad(const Blocks& blocks) {
  for (const auto& b : blocks)
    for (const auto& p : b->parameters())
      if (p.requires_grad()) return true;
  return false;
}

}  // namespace

Tensor run_memory_saving(const Blocks& blocks, const Tensor& input, Direction direction) {
  const bool needs_graph = grad_enabled() && (input.requires_grad() || any_parameter_requires_grad(blocks));
  Tensor h;
  {
    NoGradScope no_grad;
    h = input.detach();
    if (direction == Direction::forward) {
      for (const auto& block : blocks) h = block->forward(h);
    } else {
      for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) h = (*it)->inverse(h);
    }
  }
  if (blocks.empty()) h = input.clone();  // the output must be a new tensor to carry history
  if (needs_graph) {
    auto node = std::make_shared<ReversibleBackward>(blocks, direction, h.detach());
    node->connect({&input}, {&h});
  }
  return h;
}

}  // namespace revgan::reversible
