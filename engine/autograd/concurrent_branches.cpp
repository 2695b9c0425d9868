// Branches of a step at once, each with a share of the caller's OpenMP team (one thread each:
// that team's threads; more: threads of their own) and a gradient sink of its own; sinks merged
// in branch order.
#include "engine/autograd/concurrent_branches.hpp"

#include <omp.h>

#include <atomic>
#include <cstdlib>
#include <exception>
#include <optional>
#include <thread>

#include "engine/autograd/grad_mode.hpp"
#include "engine/autograd/gradient_sink.hpp"
#include "engine/core/check.hpp"
#include "engine/core/team_size_scope.hpp"
#include "engine/memory/memory_category.hpp"

namespace revgan {

namespace {

// REVGAN_CONCURRENT_BRANCHES's value (on when unset); a value it cannot read is refused on first
// use, with the variable's name.
std::atomic<bool>& choice_slot() {
  static std::atomic<bool> slot{[] {
    const char* value = std::getenv("REVGAN_CONCURRENT_BRANCHES");
    if (value == nullptr || *value == '\0') return true;
    const std::optional<bool> on = parse_concurrent_branches(value);
    REVGAN_CHECK(on.has_value(),
                 "REVGAN_CONCURRENT_BRANCHES='{}': expected 1 (independent parts of a step at once, the default) "
                 "or 0 (one after the other)",
                 value);
    return *on;
  }()};
  return slot;
}

thread_local BranchSlot t_branch;
std::atomic<uint64_t> calls_so_far{0};
std::atomic<uint64_t> overlapped_so_far{0};

// Runs one branch inside its sink, as `slot`; an exception is kept for the caller instead of
// escaping.
void run_caught(const std::function<void()>& branch, BranchSlot slot, GradientSink& sink, std::exception_ptr& error) {
  const BranchSlot outer = t_branch;
  t_branch = slot;
  try {
    const GradientSinkScope scope(sink);
    branch();
  } catch (...) {
    error = std::current_exception();
  }
  t_branch = outer;
}

}  // namespace

BranchSlot current_branch() { return t_branch; }
uint64_t overlapped_runs() { return overlapped_so_far.load(); }

bool concurrent_branches() { return choice_slot().load(std::memory_order_relaxed); }
void set_concurrent_branches(bool on) { choice_slot().store(on, std::memory_order_relaxed); }

std::optional<bool> parse_concurrent_branches(std::string_view value) {
  if (value == "1") return true;
  if (value == "0") return false;
  return std::nullopt;
}

int branch_team_size(int team, int count, int index) {
  REVGAN_CHECK(count > 0 && index >= 0 && index < count, "branch_team_size: branch {} of {}", index, count);
  if (team < count) return 0;
  return team / count + (index < team % count ? 1 : 0);
}

void run_branches(const std::vector<std::function<void()>>& branches, bool may_overlap) {
  const int count = static_cast<int>(branches.size());
  std::vector<GradientSink> sinks(branches.size());
  std::vector<std::exception_ptr> errors(branches.size());
  const int team = omp_get_max_threads();
  const uint64_t call = ++calls_so_far;
  auto run = [&](int i) {
    const auto n = static_cast<std::size_t>(i);
    run_caught(branches[n], BranchSlot{i, count, call}, sinks[n], errors[n]);
  };
  if (may_overlap && count >= 2 && concurrent_branches() && team >= count) {
    ++overlapped_so_far;
    const bool grad_on = grad_enabled();
    const MemoryCategory category = current_memory_category();
    // Every thread that runs a branch takes the caller's grad mode and memory category (on the
    // caller's own thread, in the one-thread-each region, that changes nothing).
    auto run_as_caller = [&](int i) {
      std::optional<NoGradScope> no_grad;
      if (!grad_on) no_grad.emplace();
      const MemoryCategoryScope in_category(category);
      run(i);
    };
    if (team == count) {
      // A thread each: the caller's own OpenMP team runs them, one branch per thread, so no
      // thread starts and none of the team is left spinning beside them. Regions the kernels
      // open inside are inactive (one thread); the team size set here is the region's only.
#pragma omp parallel num_threads(count)
      {
        omp_set_num_threads(1);
        const int threads = omp_get_num_threads();  // fewer than asked if OpenMP gives fewer
        for (int i = omp_get_thread_num(); i < count; i += threads) run_as_caller(i);
      }
    } else {
      // Several threads each: every branch but the first on a thread of its own, whose OpenMP
      // team (the branch's share) is an outermost one.
      std::vector<std::jthread> workers;  // joined when this scope ends, also if a start throws
      for (int i = 1; i < count; ++i) {
        workers.emplace_back([&, i] {
          omp_set_num_threads(branch_team_size(team, count, i));
          run_as_caller(i);
        });
      }
      {
        const TeamSizeScope share(branch_team_size(team, count, 0));
        run(0);
      }
      workers.clear();  // joins
    }
  } else {
    for (int i = 0; i < count; ++i) run(i);
  }
  for (const std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);
  for (GradientSink& sink : sinks) sink.merge_into_leaves();
}

}  // namespace revgan
