// Dispatch of a reversible sequence to the stored or the memory-saving executor.
#include "engine/reversible/reversible_sequence.hpp"

#include <fmt/format.h>

namespace revgan::reversible {

ReversibleSequence::ReversibleSequence(std::vector<std::shared_ptr<Coupling>> blocks, Mode mode)
    : mode_(mode) {
  for (std::size_t i = 0; i < blocks.size(); ++i) blocks_.push_back(register_module(fmt::format("{}", i), blocks[i]));
}

Tensor ReversibleSequence::run(const Tensor& input, Direction direction) {
  if (mode_ == Mode::memory_saving) return run_memory_saving(blocks_, input, direction);
  Tensor h = input;
  if (direction == Direction::forward) {
    for (const auto& block : blocks_) h = block->forward(h);
  } else {
    for (auto it = blocks_.rbegin(); it != blocks_.rend(); ++it) h = (*it)->inverse(h);
  }
  return h;
}

}  // namespace revgan::reversible
