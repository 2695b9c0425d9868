// Whole or exact tiles: mirror padding of any size; exact tiled translation equals whole-image
// translation within 1 level of 255 on a non-square image larger than the tile (trained-like
// RevGAN and CycleGAN weights); the memory budget picks whole or tiles, the estimates bound the
// measured peaks; odd and tiny sizes.
#include <catch2/catch.hpp>
#include <cmath>

#include "engine/memory/allocator.hpp"
#include "engine/memory/available_memory.hpp"
#include "engine/nn/init.hpp"
#include "training/model_factory.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/tools/tool_test_util.hpp"
#include "tools/infer/tiling.hpp"
#include "tools/infer/translator.hpp"

using namespace revgan;

namespace {

// A translator whose weights have a trained network's scale (the init's 0.02 leaves the core
// close to the identity and every activation small): the regime where per-tile statistics
// differed from whole-image ones by tens of levels.
infer::Translator trained_like(const std::string& model, int64_t ngf, int64_t depth, bool x_to_y) {
  training::TrainOptions o = test::tiny_revgan_options(model);
  o.ngf = ngf;
  o.depth = depth;
  const training::ResolvedOptions resolved = training::resolve_options(o);
  auto generators = training::build_generators(resolved);
  Generator gen(17);
  nn::init_normal(*generators, gen, 0.1);
  return infer::Translator(generators, resolved.get(), x_to_y, Device::cpu());
}

// A photograph-like input: smooth gradients, an edge and mild noise (instance-norm statistics
// differ strongly between regions, as in real photographs).
data::Image photo_like(int64_t w, int64_t h) {
  data::Image im = test::smooth_image(w, h, 3, 5);
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      if (x > w / 3 && y < h / 2) im.at(y, x, 1) = 255 - im.at(y, x, 1);
  return im;
}

struct Difference {
  float max = 0;
  double mean = 0;
};
Difference difference(const data::Image& a, const data::Image& b) {
  REQUIRE(a.samples.size() == b.samples.size());
  Difference d;
  for (std::size_t i = 0; i < a.samples.size(); ++i) {
    const float e = std::abs(a.samples[i] - b.samples[i]);
    d.max = std::max(d.max, e);
    d.mean += e;
  }
  d.mean /= static_cast<double>(a.samples.size());
  return d;
}

}  // namespace

TEST_CASE("mirror_pad reflects without repeating the edge, also past the image size", "[tool]") {
  const Tensor x = test::from_values({1, 1, 1, 3}, {1, 2, 3}, DType::float32);
  const Tensor p = infer::mirror_pad(x, 0, 0, 2, 6);
  REQUIRE(p.to_vector() == std::vector<double>{3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1});
  const Tensor one = test::from_values({1, 1, 1, 1}, {5}, DType::float32);
  REQUIRE(infer::mirror_pad(one, 1, 2, 0, 0).to_vector() == std::vector<double>{5, 5, 5, 5});
}

TEST_CASE("exact tiled translation equals whole-image translation within 1 level: RevGAN and CycleGAN", "[tool]") {
  const data::Image in = photo_like(150, 94);  // not a multiple of 4, 5 x 3 tiles of 32
  for (const char* model : {"revgan_paired", "cyclegan"}) {
    for (const bool x_to_y : {true, false}) {
      const infer::Translator t = trained_like(model, 6, 2, x_to_y);
      infer::TileOptions whole, tiled;
      whole.max_memory = tiled.max_memory = int64_t{1} << 34;
      tiled.tile = 32;
      infer::ExecutionPlan used_whole, used_tiled;
      const data::Image a = t.translate(in, whole, &used_whole);
      const data::Image b = t.translate(in, tiled, &used_tiled);
      REQUIRE(!used_whole.tiled);
      REQUIRE((used_tiled.tiled && used_tiled.tile == 32));
      REQUIRE((b.width == 150 && b.height == 94 && b.channels == 3));
      const Difference d = difference(a, b);
      INFO(model << (x_to_y ? " AtoB" : " BtoA") << ": max " << d.max << " levels, mean " << d.mean);
      CHECK(d.max <= 1.0f);
      // The weights make the output depend on the image (not a flat or saturated output), and
      // a second run gives the same pixels.
      CHECK(difference(a, t.translate(test::random_image(150, 94, 3, 3), whole)).mean > 5.0);
      CHECK(difference(a, t.translate(in, whole)).max == 0.0f);
    }
  }
}

TEST_CASE("the memory budget decides: whole when it fits, exact tiles when not, same output", "[tool]") {
  const infer::Translator t = trained_like("revgan_paired", 4, 2, true);
  const data::Image in = photo_like(130, 76);
  infer::TileOptions o;
  o.default_tile = 64;  // so that the tiled plan has several tiles
  o.max_memory = int64_t{1} << 40;
  const infer::ExecutionPlan roomy = t.plan(in.width, in.height, o);
  REQUIRE(!roomy.tiled);
  REQUIRE(roomy.whole_bytes > 0);

  Allocator& a = cpu_allocator();
  const auto peak_of = [&](const infer::TileOptions& options, infer::ExecutionPlan& used) {
    a.reset_peak();
    const int64_t before = a.stats().live_bytes;
    data::Image out = t.translate(in, options, &used);
    return std::make_pair(std::move(out), a.stats().peak_live_bytes - before);
  };
  o.max_memory = roomy.whole_bytes;  // exactly enough: whole
  infer::ExecutionPlan used_whole, used_tiled;
  const auto [whole, whole_peak] = peak_of(o, used_whole);
  REQUIRE(!used_whole.tiled);
  INFO("whole: measured " << whole_peak << " bytes, estimated " << used_whole.whole_bytes);
  CHECK(whole_peak <= used_whole.whole_bytes);

  o.max_memory = roomy.whole_bytes - 1;  // one byte short: exact tiles of the default tile
  const auto [tiled, tiled_peak] = peak_of(o, used_tiled);
  REQUIRE(used_tiled.tiled);
  REQUIRE(used_tiled.tile == 64);
  INFO("tiled: measured " << tiled_peak << " bytes, estimated " << used_tiled.tiled_bytes);
  CHECK(tiled_peak <= used_tiled.tiled_bytes);
  CHECK(used_tiled.tiled_bytes < used_tiled.whole_bytes);
  CHECK(difference(whole, tiled).max <= 1.0f);

  // Less than the smallest tile needs: refused before any work, naming the figures.
  o.max_memory = 1 << 20;
  CHECK_THROWS_WITH(t.translate(in, o), Catch::Contains("not enough memory") && Catch::Contains("--max_memory"));
  // The default budget is a share of the memory available now.
  const int64_t budget = infer::default_memory_budget(Device::cpu());
  CHECK(budget > 0);
  CHECK(budget <= available_memory_bytes(Device::cpu()));
}

TEST_CASE("translating an odd-sized image returns that size, both directions", "[tool]") {
  const training::ResolvedOptions options = training::resolve_options(test::tiny_revgan_options());
  for (const bool x_to_y : {true, false}) {
    const infer::Translator t(training::build_generators(options), options.get(), x_to_y, Device::cpu());
    const data::Image in = test::random_image(37, 23, 3, 1);
    infer::TileOptions tiles;
    const data::Image out = t.translate(in, tiles);
    REQUIRE(out.width == 37);
    REQUIRE(out.height == 23);
    REQUIRE(out.channels == 3);
    // Gray input is converted to the generator's channels; tiny images are mirrored up to size.
    const data::Image small = t.translate(test::random_image(3, 2, 1, 2), tiles);
    REQUIRE((small.width == 3 && small.height == 2));
    tiles.tile = 16;  // 37 x 23 now runs in 3 x 2 tiles
    const data::Image tiled = t.translate(in, tiles);
    REQUIRE(tiled.width == 37);
    CHECK(difference(out, tiled).max <= 1.0f);
  }
}
