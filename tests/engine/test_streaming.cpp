// Exact tiled execution (engine/streaming): input boxes of strided, transposed and padded
// layers; streamed runs equal the modules' whole-tensor forward for chains, couplings (both
// directions) and residual blocks, in 2D and 3D, with odd tiles, stored or recomputed
// activations; the memory estimates against the allocator's measured peaks.
#include <catch2/catch.hpp>
#include <functional>
#include <memory>

#include "engine/autograd/grad_mode.hpp"
#include "engine/memory/allocator.hpp"
#include "engine/nn/init.hpp"
#include "engine/nn/layers.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/reversible/additive_coupling.hpp"
#include "engine/reversible/coupling_kind.hpp"
#include "engine/reversible/reversible_sequence.hpp"
#include "engine/streaming/box_copy.hpp"
#include "engine/streaming/streamed_run.hpp"
#include "engine/streaming/whole_estimate.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;
using namespace revgan::streaming;

namespace {

using Modules = std::initializer_list<std::shared_ptr<nn::Module>>;

// Encoder-decoder in miniature: 7x7 after a reflection pad, two stride-2 convs, two transposed
// convs, instance norms and activations between them, as the generators have.
std::shared_ptr<nn::Sequential> mini_generator(int dims, int64_t in, int64_t k) {
  auto net = std::make_shared<nn::Sequential>(Modules{
      std::make_shared<nn::ReflectionPad>(3), std::make_shared<nn::Conv>(dims, in, k, 7),
      std::make_shared<nn::InstanceNorm>(), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Conv>(dims, k, 2 * k, 3, 2, 1), std::make_shared<nn::InstanceNorm>(),
      std::make_shared<nn::LeakyReLU>(0.2), std::make_shared<nn::Conv>(dims, 2 * k, 4 * k, 3, 2, 1),
      std::make_shared<nn::InstanceNorm>(), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::ConvTranspose>(dims, 4 * k, 2 * k, 3, 2, 1, 1), std::make_shared<nn::InstanceNorm>(),
      std::make_shared<nn::ReLU>(), std::make_shared<nn::ConvTranspose>(dims, 2 * k, k, 3, 2, 1, 1),
      std::make_shared<nn::InstanceNorm>(), std::make_shared<nn::ReLU>(), std::make_shared<nn::ReflectionPad>(3),
      std::make_shared<nn::Conv>(dims, k, in, 7), std::make_shared<nn::Tanh>()});
  Generator gen(11);
  nn::init_normal(*net, gen, 0.1);
  return net;
}

std::shared_ptr<nn::Sequential> branch(int64_t channels, uint64_t seed, int64_t out_channels = 0) {
  auto b = std::make_shared<nn::Sequential>(Modules{
      std::make_shared<nn::ReflectionPad>(1), std::make_shared<nn::Conv>(2, channels, channels, 3),
      std::make_shared<nn::InstanceNorm>(), std::make_shared<nn::ReLU>(), std::make_shared<nn::ReflectionPad>(1),
      std::make_shared<nn::Conv>(2, channels, out_channels > 0 ? out_channels : channels, 3),
      std::make_shared<nn::InstanceNorm>()});
  Generator gen(seed);
  nn::init_normal(*b, gen, 0.2);
  return b;
}

Tensor whole_forward(nn::Module& m, const Tensor& x) {
  NoGradScope no_grad;
  return m.forward(x);
}

Program single_chain(nn::Module& m) {
  Program p;
  p.steps.push_back(chain_step(m));
  finish_program(p);
  return p;
}

// The CPU allocator's peak while `run` makes its output, plus `input` (the estimates count it).
int64_t measured_peak(const Tensor& input, const std::function<Tensor()>& run) {
  Allocator& a = cpu_allocator();
  a.reset_peak();
  const int64_t before = a.stats().live_bytes;
  const Tensor y = run();
  return a.stats().peak_live_bytes - before + input.nbytes();
}

// Streamed outputs carry float rounding of another summation order (tiles of GEMMs, merged
// statistics) through up to five instance norms: 1e-5 of the output scale is ample.
constexpr double k_streamed_tolerance = 1e-5;

}  // namespace

TEST_CASE("streaming geometry: input boxes of pads, strided and transposed convs", "[exec]") {
  Layer pad;
  pad.kind = LayerKind::reflection_pad;
  pad.pad_before = pad.pad_after = {0, 3, 3};
  // Output rows [0, 4) of a pad of 3 mirror rows 3, 2, 1, 0; columns [10, 12) read 7, 8.
  Box b = input_box(pad, Box{{0, 0, 10}, {1, 4, 12}}, {1, 20, 30}, 2);
  REQUIRE(b == Box{{0, 0, 7}, {1, 4, 9}});
  // Past the end: rows [22, 26) of 20 + 6 are source rows 19, 18, 17, 16; column 0 mirrors 3.
  b = input_box(pad, Box{{0, 22, 0}, {1, 26, 1}}, {1, 20, 30}, 2);
  REQUIRE(b == Box{{0, 16, 3}, {1, 20, 4}});

  Layer conv;
  conv.kind = LayerKind::conv;
  conv.kernel = 3;
  conv.stride = 2;
  conv.padding = 1;
  // Outputs [0, 4) read padded rows [0, 9), i.e. rows [0, 8) (row -1 is zero padding);
  // outputs [4, 8) read rows [7, 16).
  REQUIRE(input_box(conv, Box{{0, 0, 4}, {1, 4, 8}}, {1, 16, 16}, 2) == Box{{0, 0, 7}, {1, 8, 16}});
  REQUIRE(output_extent(conv, {1, 16, 13}, 2) == Axes{1, 8, 7});

  Layer up;
  up.kind = LayerKind::conv_transpose;
  up.kernel = 3;
  up.stride = 2;
  up.padding = 1;
  up.output_padding = 1;
  REQUIRE(output_extent(up, {1, 8, 5}, 2) == Axes{1, 16, 10});
  // Even output 2i comes from input i, odd output 2i+1 from i and i+1 (not past the end).
  REQUIRE(input_box(up, Box{{0, 4, 0}, {1, 8, 10}}, {1, 8, 5}, 2) == Box{{0, 2, 0}, {1, 5, 5}});
  REQUIRE(input_box(up, Box{{0, 4, 0}, {1, 7, 1}}, {1, 8, 5}, 2) == Box{{0, 2, 0}, {1, 4, 1}});
  REQUIRE(input_box(up, Box{{0, 15, 9}, {1, 16, 10}}, {1, 8, 5}, 2) == Box{{0, 7, 4}, {1, 8, 5}});

  const auto tiles = tile_boxes({1, 10, 7}, {1, 4, 4});
  REQUIRE(tiles.size() == 6);
  REQUIRE(tiles.front() == Box{{0, 0, 0}, {1, 4, 4}});
  REQUIRE(tiles.back() == Box{{0, 8, 4}, {1, 10, 7}});
  int64_t covered = 0;
  for (const Box& t : tiles) covered += t.volume();
  REQUIRE(covered == 70);
}

TEST_CASE("streamed chain equals the whole-tensor forward, tiles odd or whole, stored or recomputed", "[exec]") {
  auto net = mini_generator(2, 3, 4);
  const Program p = single_chain(*net);
  REQUIRE(p.dims == 2);
  REQUIRE(p.in_channels == 3);
  const Tensor x = test::random_uniform({1, 3, 36, 52}, 3, -1, 1, DType::float32);
  const Tensor whole = whole_forward(*net, x);
  for (const Axes tile : {Axes{1, 7, 9}, Axes{1, 13, 60}, Axes{1, 100, 100}}) {
    for (const double store : {0.0, 100.0}) {
      StreamOptions o;
      o.tile = tile;
      o.store_factor = store;
      const Tensor streamed = run_streamed(p, x, o);
      REQUIRE(streamed.shape() == whole.shape());
      const test::Comparison c = test::compare(streamed, whole, k_streamed_tolerance);
      INFO("tile " << tile[1] << "x" << tile[2] << ", store factor " << store << ": " << c.report());
      CHECK(c.ok);
    }
  }
}

TEST_CASE("streamed 3D chain equals the whole-volume forward", "[exec]") {
  auto net = std::make_shared<nn::Sequential>(
      Modules{std::make_shared<nn::ReflectionPad>(1), std::make_shared<nn::Conv>(3, 2, 3, 3),
              std::make_shared<nn::InstanceNorm>(), std::make_shared<nn::ReLU>(),
              std::make_shared<nn::ReflectionPad>(1), std::make_shared<nn::Conv>(3, 3, 1, 3)});
  Generator gen(5);
  nn::init_normal(*net, gen, 0.3);
  const Program p = single_chain(*net);
  REQUIRE(p.dims == 3);
  const Tensor x = test::random_uniform({1, 2, 9, 12, 7}, 8, -1, 1, DType::float32);
  StreamOptions o;
  o.tile = {4, 5, 3};
  o.store_factor = 0;
  const test::Comparison c = test::compare(run_streamed(p, x, o), whole_forward(*net, x), k_streamed_tolerance);
  INFO(c.report());
  CHECK(c.ok);
}

TEST_CASE("streamed coupling blocks and residual blocks equal their forwards, both directions", "[exec]") {
  const auto coupling = GENERATE(reversible::CouplingKind::additive, reversible::CouplingKind::affine);
  INFO(reversible::coupling_name(coupling));
  std::vector<std::shared_ptr<reversible::Coupling>> blocks;
  const int64_t out = reversible::branch_output_channels(coupling, 3);
  for (uint64_t i = 0; i < 2; ++i)
    blocks.push_back(reversible::make_coupling(coupling, branch(3, 20 + i, out), branch(3, 30 + i, out)));
  reversible::ReversibleSequence core(blocks);
  const Tensor x = test::random_uniform({1, 6, 23, 17}, 4, -1, 1, DType::float32);
  StreamOptions o;
  o.tile = {1, 6, 5};
  o.store_factor = 0;
  for (const bool inverse : {false, true}) {
    Program p;
    p.steps.push_back(reversible_step(core, inverse));
    finish_program(p);
    REQUIRE(p.in_channels == 6);
    NoGradScope no_grad;
    const Tensor whole = inverse ? core.inverse(x) : core.forward(x);
    const test::Comparison c = test::compare(run_streamed(p, x, o), whole, k_streamed_tolerance);
    INFO((inverse ? "inverse: " : "forward: ") << c.report());
    CHECK(c.ok);
  }
  // The input is the caller's: the coupling updates ran on a copy.
  REQUIRE(test::compare(x, test::random_uniform({1, 6, 23, 17}, 4, -1, 1, DType::float32), 0.0).ok);

  auto f1 = branch(6, 40), f2 = branch(6, 41);
  Program p;
  p.steps.push_back(residual_step({f1.get(), f2.get()}));
  finish_program(p);
  NoGradScope no_grad;
  const Tensor h = ops::add(x, f1->forward(x));
  const Tensor whole = ops::add(h, f2->forward(h));
  const test::Comparison c = test::compare(run_streamed(p, x, o), whole, k_streamed_tolerance);
  INFO("residual: " << c.report());
  CHECK(c.ok);
}

TEST_CASE("memory estimates match the allocator's measured peaks", "[exec]") {
  auto net = mini_generator(2, 3, 4);
  const Program p = single_chain(*net);
  const Tensor x = test::random_uniform({1, 3, 64, 96}, 3, -1, 1, DType::float32);
  const auto measured = [&](const std::function<Tensor()>& run) { return measured_peak(x, run); };
  const int64_t whole = measured([&] { return whole_forward(*net, x); });
  const int64_t whole_estimate = estimate_whole_bytes(p, spatial_extent(x));
  INFO("whole: measured " << whole << ", estimated " << whole_estimate);
  CHECK(whole_estimate >= whole);
  CHECK(whole_estimate <= whole + whole / 50);
  for (const double store : {0.0, 100.0}) {
    StreamOptions o;
    o.tile = {1, 16, 24};
    o.store_factor = store;
    const int64_t streamed = measured([&] { return run_streamed(p, x, o); });
    const int64_t streamed_estimate = estimate_streamed_bytes(p, spatial_extent(x), o);
    INFO("streamed, store factor " << store << ": measured " << streamed << ", estimated " << streamed_estimate);
    CHECK(streamed_estimate >= streamed);
    CHECK(streamed_estimate <= streamed + streamed / 50);
    CHECK(streamed < whole);
  }
}

TEST_CASE("whole and streamed estimates of coupling blocks match the allocator's peaks, both couplings", "[exec]") {
  const auto coupling = GENERATE(reversible::CouplingKind::additive, reversible::CouplingKind::affine);
  INFO(reversible::coupling_name(coupling));
  const int64_t out = reversible::branch_output_channels(coupling, 4);
  std::vector<std::shared_ptr<reversible::Coupling>> blocks;
  for (uint64_t i = 0; i < 2; ++i)
    blocks.push_back(reversible::make_coupling(coupling, branch(4, 50 + i, out), branch(4, 60 + i, out)));
  reversible::ReversibleSequence core(blocks);
  const Tensor x = test::random_uniform({1, 8, 48, 40}, 5, -1, 1, DType::float32);
  const auto measured = [&](const std::function<Tensor()>& run) { return measured_peak(x, run); };
  for (const bool inverse : {false, true}) {
    INFO((inverse ? "inverse" : "forward"));
    Program p;
    p.steps.push_back(reversible_step(core, inverse));
    finish_program(p);
    const int64_t whole = measured([&] {
      NoGradScope no_grad;
      return inverse ? core.inverse(x) : core.forward(x);
    });
    const int64_t whole_estimate = estimate_whole_bytes(p, spatial_extent(x));
    INFO("whole: measured " << whole << ", estimated " << whole_estimate);
    CHECK(whole_estimate >= whole);
    CHECK(whole_estimate <= whole + whole / 50);
    StreamOptions o;
    o.tile = {1, 16, 16};
    o.store_factor = 0;
    const int64_t streamed = measured([&] { return run_streamed(p, x, o); });
    const int64_t streamed_estimate = estimate_streamed_bytes(p, spatial_extent(x), o);
    INFO("streamed: measured " << streamed << ", estimated " << streamed_estimate);
    CHECK(streamed_estimate >= streamed);
    CHECK(streamed_estimate <= streamed + streamed / 10);
  }
}
