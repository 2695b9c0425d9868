// The memory-saving executor (the one-pass RevNet backward). The forward runs with autograd
// off and keeps only the sequence's output; one node then walks the blocks in reverse and asks
// each block (Coupling::backward_from_output) to rebuild its input from its output while
// back-propagating through its branches. Nothing but the current block's tensors is alive.
#include "engine/autograd/grad_mode.hpp"
#include "engine/autograd/node.hpp"
#include "engine/ops/cpu_conv_backend.hpp"
#include "engine/reversible/reversible_sequence.hpp"

namespace revgan::reversible {

namespace {

using Blocks = std::vector<std::shared_ptr<Coupling>>;

class ReversibleBackward final : public Node {
 public:
  ReversibleBackward(Blocks blocks, Direction direction, Tensor output)
      : blocks_(std::move(blocks)), direction_(direction), output_(std::move(output)) {}
  const char* name() const override { return "ReversibleSequenceBackward"; }

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const ops::Im2colForwardScope exact_inverse;  // the blocks are rebuilt as their forward ran
    Tensor h = output_;
    Tensor dh = std::move(grads[0]);
    if (direction_ == Direction::forward) {
      for (auto it = blocks_.rbegin(); it != blocks_.rend(); ++it) {
        Reconstructed r = (*it)->backward_from_output(h, dh, direction_);
        h = std::move(r.input);
        dh = std::move(r.grad_input);
      }
    } else {
      for (const auto& block : blocks_) {
        Reconstructed r = block->backward_from_output(h, dh, direction_);
        h = std::move(r.input);
        dh = std::move(r.grad_input);
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
  const ops::Im2colForwardScope exact_inverse;  // see cpu_conv_backend.hpp
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
