// What a reversible block is to the executors: a module with an exact inverse, and a
// memory-saving backward that rebuilds the block's input from its output while back-propagating
// through it. The stored executor needs only forward and inverse (autograd records them); the
// memory-saving executor (memory_saving.cpp) needs only backward_from_output. Blocks split their
// input into two channel halves (x1, x2) and transform one half with networks of the other.
#pragma once

#include <memory>

#include "engine/nn/module.hpp"

namespace revgan::reversible {

enum class Direction { forward, inverse };

// A block's input rebuilt from its output, with the loss gradient with respect to it.
struct Reconstructed {
  Tensor input;
  Tensor grad_input;
};

// Every coupling has two branch networks, F (applied to the second half, changing the first)
// and G (applied to the new first half, changing the second).
class Coupling : public nn::Module {
 public:
  Coupling(std::shared_ptr<nn::Module> f, std::shared_ptr<nn::Module> g);

  // Recorded by autograd like any other op chain (every activation of F and G is kept).
  Tensor forward(const Tensor& x) override = 0;
  virtual Tensor inverse(const Tensor& y) = 0;

  // For a block that ran in `direction` and produced `output`: rebuilds its input and returns
  // it with dL/d(input), given dL/d(output). The parameters of F and G accumulate their
  // gradients; F and G are each evaluated once, on detached leaves, and nothing of the block
  // stays alive afterwards. Called with gradient recording off (inside a backward).
  virtual Reconstructed backward_from_output(const Tensor& output, const Tensor& grad_output, Direction direction) = 0;

  nn::Module& f() { return *f_; }
  nn::Module& g() { return *g_; }

 protected:
  std::shared_ptr<nn::Module> f_;
  std::shared_ptr<nn::Module> g_;
};

// Channel halves of a block's tensor; checks that the channel count is even.
struct Halves {
  Tensor first;
  Tensor second;
};
Halves split_halves(const Tensor& t);

// `module` evaluated with recording on, on a fresh leaf copy of `input`, so that back_propagate
// can push a gradient through this small graph alone.
struct LocalGraph {
  Tensor leaf;
  Tensor output;
};
LocalGraph record_on_leaf(nn::Module& module, const Tensor& input);
// Back-propagates `grad_output` through `graph`: the module's parameters accumulate, and the
// gradient with respect to the leaf is returned (zeros if none arrived). The graph is released.
Tensor back_propagate(LocalGraph& graph, const Tensor& grad_output);

}  // namespace revgan::reversible
