// Independent parts of one training step run at once. A branch is a piece of work whose graph
// shares nothing with the other branches' but leaves (the two cycles of an unpaired step, the
// two discriminators' losses). With two or more threads in the caller's OpenMP team, each branch
// runs on its own thread with its share of the team (so each op runs on fewer threads, and
// most of the step's barriers between threads go away); otherwise one after the other. Either
// way every branch's leaf gradients go to its own GradientSink, merged into the leaves in
// branch order once all have finished: the leaves receive the same sums for the same per-branch
// results (bitwise so where the kernels' results do not depend on the thread count: im2col,
// float64; oneDNN's depend on the team a plan runs on).
// REVGAN_CONCURRENT_BRANCHES=1 (the default) or 0 (always one after the other) sets the
// starting choice; set_concurrent_branches changes it (tests, benchmarks).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace revgan {

bool concurrent_branches();
void set_concurrent_branches(bool on);
std::optional<bool> parse_concurrent_branches(std::string_view value);  // "1" / "0", else none

// How many threads branch `index` of `count` gets from a team of `team` (the remainder to the
// first branches); 0 where the team is smaller than the branch count (they run in turn).
int branch_team_size(int team, int count, int index);

// Which branch of which run_branches call this thread is running: {0, 1, 0} outside any.
// `call` tells two calls apart (it counts calls, process-wide).
struct BranchSlot {
  int index = 0;
  int count = 1;
  uint64_t call = 0;
};
BranchSlot current_branch();

// Runs every branch, at once when `may_overlap` (the caller's tensors are on the CPU: device
// work stays on the caller's thread), concurrent_branches() and the caller's team
// (omp_get_max_threads()) has a thread for each; else in order on the caller's thread. With
// exactly a thread per branch, the caller's OpenMP team runs them (branch 0 on the caller);
// with more, each branch but the first gets a thread of its own, whose OpenMP team is its
// share. Every branch runs with the caller's grad mode and memory category. Each branch runs
// inside its own GradientSinkScope. When a branch throws, the others still finish, no sink is
// merged (the leaves keep the gradients they had) and the first exception in branch order is
// rethrown.
void run_branches(const std::vector<std::function<void()>>& branches, bool may_overlap);

// How many run_branches calls so far ran their branches at once (process-wide; tests, bench).
uint64_t overlapped_runs();

// Sets the choice for its lifetime and restores the previous one (tests, benchmarks).
class ConcurrentBranchesScope {
 public:
  explicit ConcurrentBranchesScope(bool on) : saved_(concurrent_branches()) { set_concurrent_branches(on); }
  ~ConcurrentBranchesScope() { set_concurrent_branches(saved_); }
  ConcurrentBranchesScope(const ConcurrentBranchesScope&) = delete;
  ConcurrentBranchesScope& operator=(const ConcurrentBranchesScope&) = delete;

 private:
  bool saved_;
};

}  // namespace revgan
