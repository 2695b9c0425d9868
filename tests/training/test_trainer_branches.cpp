// Trainer steps whose branches (the cycles or directions of the generator update, the two
// discriminators) run at once: the same weights as in turn where the kernels do not depend on the
// team size (im2col convs), at every memory budget; close gradients of one step on oneDNN's kernels.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "engine/autograd/concurrent_branches.hpp"
#include "engine/core/team_size_scope.hpp"
#include "engine/ops/cpu_conv_backend.hpp"
#include "training/model_factory.hpp"
#include "training/trainer.hpp"
#include "tests/training/training_test_util.hpp"

using namespace revgan;
using training::Trainer;

namespace {

struct Run {
  std::vector<std::vector<double>> generators, discriminator_a, gradients;
  uint64_t overlapped = 0;
};

// `steps` steps of `o` with the branches at once or in turn: the weights after them, the
// generators' gradients of the last step, and how many branch runs overlapped.
Run train(const training::TrainOptions& o, bool at_once, uint64_t steps) {
  const ConcurrentBranchesScope choice(at_once);
  Trainer t(training::resolve_options(o));
  const int dims = training::model_traits(o.model).dims;
  const int64_t size = dims == 2 ? 32 : 16;
  const uint64_t before = overlapped_runs();
  for (uint64_t step = 0; step < steps; ++step)
    t.train_step(test::batch_tensor(20 + step, 1, o.input_nc, size, dims),
                 test::batch_tensor(40 + step, 1, o.output_nc, size, dims));
  Run r{test::snapshot(t.generators()), test::snapshot(t.discriminator_a()), {}, overlapped_runs() - before};
  for (const Tensor& p : t.generators().parameters()) r.gradients.push_back(p.grad().to_vector());
  return r;
}

}  // namespace

TEST_CASE("trainer: branches at once give the weights they give in turn (im2col convs), at every memory budget",
          "[model]") {
  const TeamSizeScope team(2);  // ctest runs with OMP_NUM_THREADS=1
  const ops::CpuConvBackendScope im2col(ops::CpuConvBackend::im2col);
  struct Case {
    const char* model;
    bool memory_saving;
    const char* budget;
    uint64_t overlaps_per_step;  // generator forward, generator backward, discriminators
  };
  for (const Case& c : {Case{"revgan_unpaired", false, "0", 3}, Case{"revgan_unpaired", true, "0", 3},
                        Case{"revgan_unpaired", true, "30K", 3}, Case{"revgan_paired", true, "0", 3},
                        Case{"cyclegan", false, "0", 3}, Case{"revgan3d_unpaired", true, "0", 3},
                        Case{"pix2pix", false, "0", 0}}) {
    INFO(c.model << (c.memory_saving ? " memory-saving" : " stored") << ", budget " << c.budget);
    training::TrainOptions o = test::tiny_options(c.model);
    o.memory_saving = c.memory_saving;
    o.memory_budget = c.budget;
    const Run at_once = train(o, true, 2), in_turn = train(o, false, 2);
    CHECK(at_once.overlapped == 2 * c.overlaps_per_step);
    CHECK(in_turn.overlapped == 0);
    CHECK(at_once.generators == in_turn.generators);
    CHECK(at_once.discriminator_a == in_turn.discriminator_a);
    CHECK(at_once.gradients == in_turn.gradients);
  }
}

#ifdef REVGAN_WITH_ONEDNN
TEST_CASE("trainer: on oneDNN's convs (plans per team size) branches at once give gradients close to in turn", "[model]") {
  const TeamSizeScope team(2);  // ctest runs with OMP_NUM_THREADS=1
  const ops::CpuConvBackendScope onednn(ops::CpuConvBackend::onednn);
  training::TrainOptions o = test::tiny_options("revgan_unpaired");
  o.ngf = 16;
  o.memory_saving = true;
  const Run at_once = train(o, true, 1), in_turn = train(o, false, 1);
  CHECK(at_once.overlapped == 3);
  REQUIRE(at_once.gradients.size() == in_turn.gradients.size());
  double largest = 0;
  for (const auto& g : in_turn.gradients)
    for (double v : g) largest = std::max(largest, std::abs(v));
  for (std::size_t i = 0; i < at_once.gradients.size(); ++i) {
    double diff = 0, scale = 0;
    for (std::size_t k = 0; k < at_once.gradients[i].size(); ++k) {
      diff = std::max(diff, std::abs(at_once.gradients[i][k] - in_turn.gradients[i][k]));
      scale = std::max(scale, std::abs(in_turn.gradients[i][k]));
    }
    INFO("parameter " << i << ": max difference " << diff << ", max gradient " << scale);
    CHECK(diff <= 1e-4 * std::max(scale, 1e-3 * largest));
  }
}
#endif
