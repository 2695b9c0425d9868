// Dispatch of a reversible sequence to the stored or the memory-saving executor, and the
// budgeted mix of the two.
#include "engine/reversible/reversible_sequence.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/autograd/concurrent_branches.hpp"
#include "engine/autograd/grad_mode.hpp"
#include "engine/autograd/saved_bytes.hpp"
#include "engine/ops/cpu_conv_backend.hpp"

namespace revgan::reversible {

ReversibleSequence::ReversibleSequence(std::vector<std::shared_ptr<Coupling>> blocks, Mode mode)
    : mode_(mode) {
  for (std::size_t i = 0; i < blocks.size(); ++i) blocks_.push_back(register_module(fmt::format("{}", i), blocks[i]));
}

void ReversibleSequence::set_memory_budget(int64_t bytes) {
  REVGAN_CHECK(bytes >= 0, "ReversibleSequence: the memory budget must not be negative, got {}", bytes);
  budget_ = bytes;
  reset_budget();
}

void ReversibleSequence::reset_budget() {
  const std::lock_guard<std::mutex> lock(budget_mutex_);
  left_ = budget_;
  branch_left_.clear();
}

int64_t ReversibleSequence::spendable_locked() {
  const BranchSlot slot = current_branch();
  if (slot.count == 1) return left_;
  if (branch_call_ != slot.call) {  // the first pass of a new set of branches: split what is left
    branch_call_ = slot.call;
    branch_left_.assign(static_cast<std::size_t>(slot.count), left_ / slot.count);
    for (int64_t i = 0; i < left_ % slot.count; ++i) ++branch_left_[static_cast<std::size_t>(i)];
  }
  return branch_left_[static_cast<std::size_t>(slot.index)];
}

void ReversibleSequence::spend_locked(int64_t bytes) {
  const BranchSlot slot = current_branch();
  left_ -= bytes;
  if (slot.count > 1) branch_left_[static_cast<std::size_t>(slot.index)] -= bytes;
}

Tensor ReversibleSequence::run_with_budget(const Tensor& input, Direction direction) {
  // Blocks in the order this pass runs them.
  std::vector<std::shared_ptr<Coupling>> order = blocks_;
  if (direction == Direction::inverse) std::reverse(order.begin(), order.end());
  const std::string key = fmt::format("{} {} {}", input.shape().str(), dtype_name(input.dtype()), input.device().str());
  Tensor h = input;
  std::size_t recorded = 0;
  for (; recorded < order.size(); ++recorded) {
    {
      const std::lock_guard<std::mutex> lock(budget_mutex_);
      const auto cost = block_cost_.find(key);
      if (cost != block_cost_.end() && cost->second > spendable_locked()) break;
    }
    Coupling& block = *order[recorded];
    Tensor out = direction == Direction::forward ? block.forward(h) : block.inverse(h);
    const int64_t bytes = saved_for_backward({out}, {h}).activation_bytes;
    const std::lock_guard<std::mutex> lock(budget_mutex_);
    block_cost_[key] = bytes;
    // First run at this shape, and it does not fit: drop its graph, the block runs memory-saving.
    if (bytes > spendable_locked()) break;
    spend_locked(bytes);
    h = std::move(out);
  }
  last_recorded_ = recorded;
  if (recorded == order.size()) return h;
  // The remaining blocks, in declaration order, as run_memory_saving takes them.
  std::vector<std::shared_ptr<Coupling>> rest(order.begin() + static_cast<std::ptrdiff_t>(recorded), order.end());
  if (direction == Direction::inverse) std::reverse(rest.begin(), rest.end());
  return run_memory_saving(rest, h, direction);
}

Tensor ReversibleSequence::run(const Tensor& input, Direction direction) {
  const ops::Im2colForwardScope exact_inverse;  // see cpu_conv_backend.hpp
  last_recorded_ = mode_ == Mode::stored ? blocks_.size() : 0;
  if (mode_ == Mode::memory_saving) {
    bool needs_graph = grad_enabled() && input.requires_grad();
    for (const Tensor& p : parameters()) needs_graph = needs_graph || (grad_enabled() && p.requires_grad());
    if (budget_ == 0 || !needs_graph) return run_memory_saving(blocks_, input, direction);
    return run_with_budget(input, direction);
  }
  Tensor h = input;
  if (direction == Direction::forward) {
    for (const auto& block : blocks_) h = block->forward(h);
  } else {
    for (auto it = blocks_.rbegin(); it != blocks_.rend(); ++it) h = (*it)->inverse(h);
  }
  return h;
}

}  // namespace revgan::reversible
