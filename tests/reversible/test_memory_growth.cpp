// Activation memory of a full RevGAN generator forward + backward (both directions), read
// from the allocator: flat in depth with the memory-saving executor, linear when stored.
#include <catch2/catch.hpp>

#include <map>

#include "engine/memory/allocator.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/loss.hpp"
#include "models/revgan2d.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;

namespace {

constexpr int64_t width = 4;   // K: the core runs on 4K = 16 channels
constexpr int64_t image = 32;  // the core runs at image / 4 = 8x8

// Peak bytes of the activations category over one forward + backward of both directions.
int64_t peak_activation_bytes(int64_t depth, reversible::Mode mode, reversible::CouplingKind coupling) {
  models::RevGan2dOptions options;
  options.ngf = width;
  options.depth = depth;
  options.mode = mode;
  options.coupling = coupling;
  options.seed = 1;
  models::RevGan2d generator(options);
  Tensor x = test::random_uniform({1, 3, image, image}, 1, -1, 1, DType::float32);
  Tensor y = test::random_uniform({1, 3, image, image}, 2, -1, 1, DType::float32);
  Allocator& a = cpu_allocator();
  auto step = [&] {
    Tensor loss = ops::add(ops::l1_loss(generator.g_xy(x), y), ops::l1_loss(generator.g_yx(y), x));
    loss.backward();
  };
  step();  // creates every parameter's .grad (charged to gradients, not activations)
  a.reset_peak();
  const int64_t before = a.stats().live(MemoryCategory::activations);
  step();
  return a.stats().peak(MemoryCategory::activations) - before;
}

}  // namespace

TEST_CASE("generator activation memory: flat in depth when memory-saving, linear when stored", "[exec][model]") {
  auto coupling = GENERATE(reversible::CouplingKind::additive, reversible::CouplingKind::affine);
  INFO(reversible::coupling_name(coupling));
  const int64_t core_tensor_bytes = 4 * width * (image / 4) * (image / 4) * 4;  // one [1, 4K, H/4, W/4] float32
  std::map<int64_t, int64_t> saving, stored;
  for (int64_t depth : {6, 12, 30}) {
    saving[depth] = peak_activation_bytes(depth, reversible::Mode::memory_saving, coupling);
    stored[depth] = peak_activation_bytes(depth, reversible::Mode::stored, coupling);
  }
  INFO(fmt::format("memory-saving peak activation bytes: depth 6 {}, 12 {}, 30 {}", saving[6], saving[12], saving[30]));
  INFO(fmt::format("stored peak activation bytes: depth 6 {}, 12 {}, 30 {}", stored[6], stored[12], stored[30]));
  INFO("one core tensor: " << core_tensor_bytes << " bytes");
  // Memory saving: less than one block's worth (one core-sized tensor) from depth 6 to 30.
  CHECK(saving[30] - saving[6] < core_tensor_bytes);
  CHECK(saving[12] - saving[6] < core_tensor_bytes);
  // Stored: a constant slope per block, and a real one (several core tensors per block).
  const double slope_low = static_cast<double>(stored[12] - stored[6]) / 6.0;
  const double slope_high = static_cast<double>(stored[30] - stored[12]) / 18.0;
  INFO(fmt::format("stored slope: {:.0f} bytes/block (6->12), {:.0f} bytes/block (12->30)", slope_low, slope_high));
  CHECK(slope_low > 4.0 * core_tensor_bytes);
  CHECK(std::abs(slope_high - slope_low) <= 0.02 * slope_low);
  CHECK(stored[6] > saving[6]);
}
