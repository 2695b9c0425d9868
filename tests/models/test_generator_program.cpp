// Generator programs: streamed (exact tiled) runs of every generator type equal their g_xy /
// g_yx; the whole-forward memory estimate equals the allocator's measured peak; without
// gradients the reversible core's memory does not grow with depth.
#include <catch2/catch.hpp>

#include "engine/autograd/grad_mode.hpp"
#include "engine/memory/allocator.hpp"
#include "engine/nn/init.hpp"
#include "engine/streaming/box_copy.hpp"
#include "engine/streaming/streamed_run.hpp"
#include "engine/streaming/whole_estimate.hpp"
#include "models/generator_program.hpp"
#include "models/resnet_generator.hpp"
#include "models/revgan2d.hpp"
#include "models/revgan3d.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;
using namespace revgan::models;

namespace {

// Weights of a trained network's scale rather than the init's 0.02, so that every layer, the
// core included, changes its input substantially.
void trained_like(nn::Module& m, uint64_t seed) {
  Generator gen(seed);
  nn::init_normal(m, gen, 0.15);
}

std::shared_ptr<GeneratorPair> revgan2d(int64_t depth) {
  RevGan2dOptions o;
  o.ngf = 4;
  o.depth = depth;
  auto g = std::make_shared<RevGan2d>(o);
  trained_like(*g, 3);
  return g;
}

std::shared_ptr<GeneratorPair> cyclegan() {
  ResnetGeneratorOptions o;
  o.ngf = 4;
  o.depth = 2;
  o.output_nc = 1;
  auto g = std::make_shared<CycleGanGenerators>(o);
  trained_like(*g, 4);
  return g;
}

Tensor run(GeneratorPair& g, bool x_to_y, const Tensor& x) {
  NoGradScope no_grad;
  return x_to_y ? g.g_xy(x) : g.g_yx(x);
}

int64_t channels_in(const GeneratorPair& g, bool x_to_y) {
  if (const auto* r = dynamic_cast<const RevGan2d*>(&g)) return x_to_y ? r->options().input_nc : r->options().output_nc;
  return x_to_y ? 3 : 1;  // cyclegan() maps 3 -> 1 channels
}

// Streamed outputs differ from the whole forward by float rounding of other summation orders
// (GEMM tiles, merged statistics) carried through the network: 1e-5 of the output scale.
constexpr double k_streamed_tolerance = 1e-5;

}  // namespace

TEST_CASE("streamed generators equal g_xy and g_yx: RevGAN 2D, CycleGAN, pix2pix", "[model][exec]") {
  struct Case {
    const char* name;
    std::shared_ptr<GeneratorPair> g;
  };
  ResnetGeneratorOptions p2p;
  p2p.ngf = 3;
  p2p.depth = 1;
  auto pix2pix = std::make_shared<OneWayGenerator>(p2p);
  trained_like(*pix2pix, 5);
  for (const Case& c : {Case{"revgan2d", revgan2d(2)}, Case{"cyclegan", cyclegan()}, Case{"pix2pix", pix2pix}}) {
    for (const bool x_to_y : {true, false}) {
      if (!x_to_y && c.g == pix2pix) {
        REQUIRE_THROWS_WITH(generator_program(*c.g, false), Catch::Contains("does not exist"));
        continue;
      }
      const streaming::Program p = generator_program(*c.g, x_to_y);
      const Tensor x = test::random_uniform({1, channels_in(*c.g, x_to_y), 44, 28}, 6, -1, 1, DType::float32);
      const Tensor whole = run(*c.g, x_to_y, x);
      streaming::StreamOptions o;
      o.tile = {1, 12, 20};  // 4 x 2 tiles, none aligned with the 7x7 halos
      for (const double store : {0.0, 2.0}) {
        o.store_factor = store;
        const test::Comparison cmp = test::compare(streaming::run_streamed(p, x, o), whole, k_streamed_tolerance);
        INFO(c.name << (x_to_y ? " g_xy" : " g_yx") << ", store factor " << store << ": " << cmp.report());
        CHECK(cmp.ok);
      }
    }
  }
}

TEST_CASE("streamed RevGAN 3D equals g_xy and g_yx on a volume", "[model][exec]") {
  RevGan3dOptions o;
  o.input_nc = 1;
  o.output_nc = 1;
  o.ngf = 4;
  o.depth = 2;
  RevGan3d g(o);
  trained_like(g, 7);  // the init zeroes the core's last convs; these weights do not
  const Tensor x = test::random_uniform({1, 1, 10, 13, 9}, 8, -1, 1, DType::float32);
  streaming::StreamOptions so;
  so.tile = {4, 6, 5};
  so.store_factor = 0;
  for (const bool x_to_y : {true, false}) {
    const test::Comparison cmp = test::compare(streaming::run_streamed(generator_program(g, x_to_y), x, so),
                                               run(g, x_to_y, x), k_streamed_tolerance);
    INFO((x_to_y ? "g_xy: " : "g_yx: ") << cmp.report());
    CHECK(cmp.ok);
  }
}

TEST_CASE("whole-forward memory estimates equal the measured peaks, the core adds nothing with depth",
          "[model][exec]") {
  Allocator& a = cpu_allocator();
  const auto measured = [&](GeneratorPair& g, bool x_to_y, const Tensor& x) {
    a.reset_peak();
    const int64_t before = a.stats().live_bytes;
    run(g, x_to_y, x);
    return a.stats().peak_live_bytes - before + x.nbytes();  // the estimate counts the input
  };
  std::vector<int64_t> revgan_peaks;
  for (const int64_t depth : {1, 6}) {
    auto g = revgan2d(depth);
    const Tensor x = test::random_uniform({1, 3, 64, 48}, 9, -1, 1, DType::float32);
    for (const bool x_to_y : {true, false}) {
      const int64_t peak = measured(*g, x_to_y, x);
      const int64_t estimate =
          streaming::estimate_whole_bytes(generator_program(*g, x_to_y), streaming::spatial_extent(x));
      INFO("revgan2d depth " << depth << (x_to_y ? " g_xy" : " g_yx") << ": measured " << peak << ", estimated "
                             << estimate);
      CHECK(estimate >= peak);
      CHECK(estimate <= peak + peak / 50);
      revgan_peaks.push_back(peak);
    }
  }
  // Depth 1 against depth 6, per direction: no activation kept per block.
  CHECK(revgan_peaks[0] == revgan_peaks[2]);
  CHECK(revgan_peaks[1] == revgan_peaks[3]);

  auto g = cyclegan();
  const Tensor x = test::random_uniform({2, 3, 32, 40}, 10, -1, 1, DType::float32);
  const int64_t peak = measured(*g, true, x);
  const int64_t estimate =
      streaming::estimate_whole_bytes(generator_program(*g, true), streaming::spatial_extent(x), 2);
  INFO("cyclegan, batch 2: measured " << peak << ", estimated " << estimate);
  CHECK(estimate >= peak);
  CHECK(estimate <= peak + peak / 50);
}
