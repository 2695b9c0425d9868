// A reversible sequence of coupling blocks (additive or affine), run forward (X -> Y) or inverse
// (Y -> X, blocks in reverse order), in one of two modes chosen at run time:
//   stored:        the ordinary autograd graph keeps every activation of F and G;
//   memory_saving: the forward keeps only the sequence's output; the backward walks the
//                  blocks in reverse, rebuilding each block's input from its output while
//                  back-propagating through F and G in the same pass (each evaluated once).
#pragma once

#include <memory>
#include <vector>

#include "engine/reversible/coupling.hpp"

namespace revgan::reversible {

enum class Mode { stored, memory_saving };

class ReversibleSequence : public nn::Module {
 public:
  explicit ReversibleSequence(std::vector<std::shared_ptr<Coupling>> blocks, Mode mode = Mode::memory_saving);
  std::string type_name() const override { return "ReversibleSequence"; }

  Tensor forward(const Tensor& x) override { return run(x, Direction::forward); }
  Tensor inverse(const Tensor& y) { return run(y, Direction::inverse); }
  Tensor run(const Tensor& input, Direction direction);

  Mode mode() const { return mode_; }
  void set_mode(Mode mode) { mode_ = mode; }
  std::size_t depth() const { return blocks_.size(); }
  const std::vector<std::shared_ptr<Coupling>>& blocks() const { return blocks_; }

 private:
  std::vector<std::shared_ptr<Coupling>> blocks_;
  Mode mode_;
};

// The memory-saving path, exposed for tests: runs without recording inner activations and,
// when gradients are needed, attaches one node that reconstructs during the backward.
Tensor run_memory_saving(const std::vector<std::shared_ptr<Coupling>>& blocks, const Tensor& input,
                         Direction direction);

}  // namespace revgan::reversible
