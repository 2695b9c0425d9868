// A reversible sequence of coupling blocks (additive or affine), run forward (X -> Y) or inverse
// (Y -> X, blocks in reverse order), in one of two modes chosen at run time:
//   stored:        the ordinary autograd graph keeps every activation of F and G;
//   memory_saving: the forward keeps only the sequence's output; the backward walks the
//                  blocks in reverse, rebuilding each block's input from its output while
//                  back-propagating through F and G in the same pass (each evaluated once).
// memory_saving with a budget trades memory for time on demand: the first blocks of a pass run
// recorded while what they keep fits in the budget, the rest memory-saving (see set_memory_budget).
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
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

  // Memory-saving mode only. Of the blocks a pass runs, the first ones run recorded (autograd
  // keeps their activations, as in stored mode) as long as the bytes they keep fit in what is
  // left of the budget; the others run memory-saving. The budget is spent across passes until
  // reset_budget() (the trainer resets it before every step), so it bounds what the core keeps
  // over one training step. Passes run in branches of a step
  // (engine/autograd/concurrent_branches.hpp) spend per branch: branch i of n spends its own
  // share (1/n of what was left when the first of them spent), so what each keeps does not
  // depend on how the branches were scheduled. A block's cost is the bytes its graph saves
  // (saved_for_backward), measured on its first recorded run per input shape. 0 (the default):
  // pure memory saving; unlimited_budget: every block recorded, which is exactly stored mode.
  // Gradients are the same at every budget.
  static constexpr int64_t unlimited_budget = std::numeric_limits<int64_t>::max();
  void set_memory_budget(int64_t bytes);
  int64_t memory_budget() const { return budget_; }
  void reset_budget();
  int64_t budget_left() const { return left_; }
  // Blocks the last pass ran recorded (for tests and the bench).
  std::size_t last_recorded_blocks() const { return last_recorded_.load(std::memory_order_relaxed); }

 private:
  Tensor run_with_budget(const Tensor& input, Direction direction);
  // What this thread's pass may still spend, and its spending (budget_mutex_ held).
  int64_t spendable_locked();
  void spend_locked(int64_t bytes);

  std::vector<std::shared_ptr<Coupling>> blocks_;
  Mode mode_;
  int64_t budget_ = 0;
  int64_t left_ = 0;
  std::map<std::string, int64_t> block_cost_;  // saved bytes of one recorded block, per input shape
  // What each branch of the run_branches call `branch_call_` has left (empty outside branches).
  std::vector<int64_t> branch_left_;
  uint64_t branch_call_ = 0;
  std::mutex budget_mutex_;  // guards left_, block_cost_ and the branch shares
  std::atomic<std::size_t> last_recorded_{0};  // passes may run on two threads at once
};

// The memory-saving path, exposed for tests: runs without recording inner activations and,
// when gradients are needed, attaches one node that reconstructs during the backward.
Tensor run_memory_saving(const std::vector<std::shared_ptr<Coupling>>& blocks, const Tensor& input,
                         Direction direction);

}  // namespace revgan::reversible
