// Branches of a step (engine/autograd/concurrent_branches.hpp): per-branch gradient sinks merged
// in branch order, the same bits at once and in turn, threads and team shares, what a worker
// thread inherits, kernels that split their work in chunks, exceptions, and the
// REVGAN_CONCURRENT_BRANCHES values.
#include <catch2/catch.hpp>

#include <omp.h>

#include <stdexcept>
#include <thread>
#include <tuple>
#include <vector>

#include "engine/autograd/concurrent_branches.hpp"
#include "engine/autograd/grad_mode.hpp"
#include "engine/autograd/gradient_sink.hpp"
#include "engine/core/team_size_scope.hpp"
#include "engine/memory/memory_category.hpp"
#include "engine/ops/activation.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/conv.hpp"
#include "engine/ops/cpu_conv_backend.hpp"
#include "engine/ops/reduce.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;

namespace {

// A loss that uses the weight several times (its gradient is summed inside the branch).
Tensor branch_loss(const Tensor& w, const Tensor& x) {
  const Tensor h = ops::leaky_relu(ops::mul(w, x), 0.2);
  return ops::sum(ops::mul(ops::add(h, w), ops::sub(h, x)));
}

}  // namespace

TEST_CASE("concurrent branches: gradients summed per branch and merged in branch order, the same bits at once and in turn",
          "[engine]") {
  const Tensor x1 = test::random_normal({64}, 1), x2 = test::random_normal({64}, 2);
  auto gradient = [&](bool at_once, int team) {
    const TeamSizeScope threads(team);
    const ConcurrentBranchesScope choice(at_once);
    Tensor w = test::random_normal({64}, 3).set_requires_grad(true);
    run_branches({[&] { branch_loss(w, x1).backward(); }, [&] { branch_loss(w, x2).backward(); }}, true);
    return w.grad().to_vector();
  };
  const auto at_once = gradient(true, 2);
  CHECK(at_once == gradient(false, 2));
  CHECK(at_once == gradient(true, 1));

  // The merge is "first branch's sum, then the second's added": exactly what two backward calls
  // into the leaf give.
  Tensor w = test::random_normal({64}, 3).set_requires_grad(true);
  branch_loss(w, x1).backward();
  branch_loss(w, x2).backward();
  CHECK(at_once == w.grad().to_vector());

  // A leaf with a gradient already gets the branches' sums added to it.
  Tensor v = test::random_normal({64}, 3).set_requires_grad(true);
  ops::scale(v, 3.0).backward(ops::ones_like(v));
  {
    const TeamSizeScope threads(2);
    run_branches({[&] { branch_loss(v, x1).backward(); }, [&] { branch_loss(v, x2).backward(); }}, true);
  }
  Tensor u = test::random_normal({64}, 3).set_requires_grad(true);
  ops::scale(u, 3.0).backward(ops::ones_like(u));
  branch_loss(u, x1).backward();
  branch_loss(u, x2).backward();
  CHECK(v.grad().to_vector() == u.grad().to_vector());
}

TEST_CASE("concurrent branches: a gradient sink holds a thread's leaf gradients until merged", "[engine]") {
  Tensor w = test::from_values({2}, {1, 2}).set_requires_grad(true);
  GradientSink sink;
  {
    const GradientSinkScope scope(sink);
    CHECK(active_gradient_sink() == &sink);
    ops::scale(w, 2.0).backward(ops::ones_like(w));
    ops::scale(w, 3.0).backward(ops::ones_like(w));
  }
  CHECK(active_gradient_sink() == nullptr);
  CHECK_FALSE(w.grad().defined());
  CHECK(sink.leaves() == 1);
  sink.merge_into_leaves();
  CHECK(sink.leaves() == 0);
  CHECK(w.grad().to_vector() == std::vector<double>{5, 5});
}

TEST_CASE("concurrent branches: each branch on its own thread with its share of the team, or in turn on the caller's",
          "[engine]") {
  CHECK(branch_team_size(2, 2, 0) == 1);
  CHECK(branch_team_size(2, 2, 1) == 1);
  CHECK(branch_team_size(5, 2, 0) == 3);
  CHECK(branch_team_size(5, 2, 1) == 2);
  CHECK(branch_team_size(1, 2, 0) == 0);
  CHECK_THROWS_WITH(branch_team_size(2, 2, 2), Catch::Contains("branch 2 of 2"));

  struct Seen {
    std::thread::id thread;
    int team = 0;
    BranchSlot slot;
    bool grad = true;
    MemoryCategory category = MemoryCategory::activations;
  };
  auto observe = [](int team, bool at_once, bool may_overlap) {
    const TeamSizeScope threads(team);
    const ConcurrentBranchesScope choice(at_once);
    std::vector<Seen> seen(2);
    const NoGradScope no_grad;
    const MemoryCategoryScope category(MemoryCategory::optimizer_state);
    std::vector<std::function<void()>> branches;
    for (std::size_t i = 0; i < 2; ++i)
      branches.emplace_back([&seen, i] {
        seen[i] = {std::this_thread::get_id(), omp_get_max_threads(), current_branch(), grad_enabled(),
                   current_memory_category()};
      });
    run_branches(branches, may_overlap);
    CHECK(omp_get_max_threads() == team);  // the caller's team is given back
    return seen;
  };
  const std::thread::id caller = std::this_thread::get_id();
  const auto at_once = observe(2, true, true);
  CHECK(at_once[0].thread == caller);
  CHECK(at_once[1].thread != caller);
  for (std::size_t i = 0; i < 2; ++i) {
    INFO("branch " << i);
    CHECK(at_once[i].team == 1);
    CHECK(at_once[i].slot.index == static_cast<int>(i));
    CHECK(at_once[i].slot.count == 2);
    CHECK_FALSE(at_once[i].grad);  // the caller's grad mode and memory category, on every thread
    CHECK(at_once[i].category == MemoryCategory::optimizer_state);
  }
  CHECK(at_once[0].slot.call == at_once[1].slot.call);
  CHECK(current_branch().count == 1);

  // More threads than branches: each branch gets its share (branch_team_size) on its own thread.
  const auto shared = observe(5, true, true);
  CHECK(shared[0].thread == caller);
  CHECK(shared[1].thread != caller);
  CHECK(shared[0].team == 3);
  CHECK(shared[1].team == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    INFO("branch " << i);
    CHECK(shared[i].slot.index == static_cast<int>(i));
    CHECK_FALSE(shared[i].grad);
    CHECK(shared[i].category == MemoryCategory::optimizer_state);
  }

  // In turn: switched off, a team of one, or work that must stay on the caller's thread.
  const std::vector<std::tuple<int, bool, bool>> in_turn_cases{{2, false, true}, {1, true, true}, {2, true, false}};
  for (const auto& [team, on, may_overlap] : in_turn_cases) {
    INFO("team " << team << ", on " << on << ", may overlap " << may_overlap);
    const auto in_turn = observe(team, on, may_overlap);
    for (std::size_t i = 0; i < 2; ++i) {
      CHECK(in_turn[i].thread == caller);
      CHECK(in_turn[i].team == team);
      CHECK(in_turn[i].slot.index == static_cast<int>(i));
    }
    CHECK(in_turn[0].slot.call != at_once[0].slot.call);
  }
}

TEST_CASE("concurrent branches: a conv cut into chunks runs inside a branch as outside", "[engine]") {
  // im2col convs take their chunks in a loop bound to their own region, also with one thread,
  // where the branches' parallel region encloses them (bound to that one, the two branches' convs
  // shared one chunk loop: each computed part of its output, or both hung).
  const ops::CpuConvBackendScope im2col(ops::CpuConvBackend::im2col);
  const Tensor x1 = test::random_normal({1, 16, 64, 64}, 4), x2 = test::random_normal({1, 16, 64, 64}, 5);
  const Tensor w = test::random_normal({32, 16, 3, 3}, 6);
  auto outputs = [&](bool at_once) {
    const TeamSizeScope threads(2);
    const ConcurrentBranchesScope choice(at_once);
    const NoGradScope no_grad;
    Tensor y1, y2;
    run_branches({[&] { y1 = ops::conv(x1, w, Tensor()); }, [&] { y2 = ops::conv(x2, w, Tensor()); }}, true);
    return std::make_pair(y1.to_vector(), y2.to_vector());
  };
  const uint64_t before = overlapped_runs();
  const auto at_once = outputs(true);
  CHECK(overlapped_runs() == before + 1);
  const auto in_turn = outputs(false);
  CHECK(at_once.first == in_turn.first);
  CHECK(at_once.second == in_turn.second);
}

TEST_CASE("concurrent branches: the first exception in branch order is rethrown once all finished, no gradient merged",
          "[engine]") {
  for (const bool at_once : {true, false}) {
    INFO("at once " << at_once);
    const TeamSizeScope threads(2);
    const ConcurrentBranchesScope choice(at_once);
    Tensor w = test::from_values({2}, {1, 2}).set_requires_grad(true);
    bool second_finished = false;
    CHECK_THROWS_WITH(run_branches({[&] {
                                      ops::scale(w, 2.0).backward(ops::ones_like(w));
                                      throw std::runtime_error("first branch failed");
                                    },
                                    [&] {
                                      ops::scale(w, 3.0).backward(ops::ones_like(w));
                                      second_finished = true;
                                    }},
                                   true),
                      "first branch failed");
    CHECK(second_finished);
    CHECK_FALSE(w.grad().defined());
    CHECK_THROWS_WITH(run_branches({[] {}, [] { throw std::runtime_error("second branch failed"); }}, true),
                      "second branch failed");
  }
}

TEST_CASE("concurrent branches: REVGAN_CONCURRENT_BRANCHES takes 1 and 0 only", "[engine]") {
  CHECK(parse_concurrent_branches("1") == std::optional<bool>(true));
  CHECK(parse_concurrent_branches("0") == std::optional<bool>(false));
  CHECK_FALSE(parse_concurrent_branches("yes").has_value());
  CHECK_FALSE(parse_concurrent_branches("").has_value());
  {
    const ConcurrentBranchesScope off(false);
    CHECK_FALSE(concurrent_branches());
  }
}
