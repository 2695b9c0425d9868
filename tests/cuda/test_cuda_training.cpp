// A training-like run on CUDA against the same run on the CPU: a tiny RevGAN2d, an L1 cycle of
// both directions, a few Adam steps. Losses at every step and the generator's outputs after
// training must match within tolerance::cuda_training_float32.
#include <catch2/catch.hpp>

#include "engine/autograd/grad_mode.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/loss.hpp"
#include "engine/optim/adam.hpp"
#include "models/revgan2d.hpp"
#include "tests/support/cuda_skip.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;

namespace {

constexpr int k_steps = 4;

struct TrainResult {
  std::vector<double> losses;
  Tensor fake_y, fake_x;  // g_xy(x) and g_yx(y) after training, on the host
};

TrainResult train(Device device, reversible::Mode mode) {
  models::RevGan2dOptions options;
  options.input_nc = 3;
  options.output_nc = 3;
  options.ngf = 4;
  options.depth = 2;
  options.mode = mode;
  options.seed = 5;
  models::RevGan2d g(options);
  g.to(device);  // before the optimizer, which keeps the parameters' tensors
  optim::AdamOptions adam;
  adam.lr = 2e-4;
  adam.beta1 = 0.5;
  optim::Adam opt(g.named_parameters(), adam);
  const Tensor x = test::random_uniform({2, 3, 32, 32}, 21, -1, 1, DType::float32).to(device);
  const Tensor y = test::random_uniform({2, 3, 32, 32}, 22, -1, 1, DType::float32).to(device);
  TrainResult r;
  for (int step = 0; step < k_steps; ++step) {
    opt.zero_grad();
    Tensor loss = ops::add(ops::l1_loss(g.g_xy(x), y), ops::l1_loss(g.g_yx(y), x));
    loss.backward();
    opt.step();
    r.losses.push_back(loss.item());
  }
  NoGradScope no_grad;
  r.fake_y = g.g_xy(x).to(Device::cpu());
  r.fake_x = g.g_yx(y).to(Device::cpu());
  return r;
}

}  // namespace

TEST_CASE("cuda training: Adam steps of a small RevGAN2d match the CPU run", "[cuda][model][slow]") {
  test::skip_without_cuda_device();
  auto mode = GENERATE(reversible::Mode::memory_saving, reversible::Mode::stored);
  const TrainResult cpu = train(Device::cpu(), mode);
  const TrainResult gpu = train(Device::cuda(0), mode);
  const double tol = test::tolerance::cuda_training_float32;
  REQUIRE(gpu.losses.size() == cpu.losses.size());
  for (std::size_t i = 0; i < cpu.losses.size(); ++i) {
    INFO("step " << i << ": cpu loss " << cpu.losses[i] << ", cuda loss " << gpu.losses[i]);
    CHECK(std::abs(gpu.losses[i] - cpu.losses[i]) <= tol * std::abs(cpu.losses[i]));
  }
  REVGAN_REQUIRE_CLOSE(test::compare(gpu.fake_y, cpu.fake_y, tol));
  REVGAN_REQUIRE_CLOSE(test::compare(gpu.fake_x, cpu.fake_x, tol));
  // Training moved the weights: the losses are not all equal.
  CHECK(cpu.losses.front() != cpu.losses.back());
}
