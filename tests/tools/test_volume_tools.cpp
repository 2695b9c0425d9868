// 3D paths of the tools: revgan_infer --volume keeps names, formats and the up-sampled grid;
// revgan_eval --kind volumes scores identical volumes as perfect and reports the nearest,
// trilinear and cubic baselines next to the model, and writes middle-slice strips as PNG.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "data/volume/hdf5_volume.hpp"
#include "data/volume/intensity.hpp"
#include "data/volume/interpolation.hpp"
#include "data/volume/nifti_io.hpp"
#include "data/volume/procedural_volume.hpp"
#include "data/volume/resample.hpp"
#include "data/volume/volume_dataset.hpp"
#include "engine/nn/init.hpp"
#include "tests/tools/tool_test_util.hpp"
#include "tools/eval/volume_eval.hpp"
#include "tools/eval/volume_slices.hpp"
#include "training/model_factory.hpp"
#include "tools/infer/volume_translator.hpp"

using namespace revgan;
using test::read_text;

namespace {
data::Volume truth_volume(uint64_t seed) {
  data::ProceduralVolumeOptions o;
  o.size = {20, 24, 28};
  o.seed = seed;
  return data::make_procedural_volume(o);
}

training::TrainOptions tiny_3d_options() {
  training::TrainOptions o = test::tiny_revgan_options("revgan3d_paired");
  o.ngf = 4;
  o.input_nc = 1;
  o.output_nc = 1;
  return o;
}
}  // namespace

TEST_CASE("volume metrics: identical volumes are perfect, the baseline is not", "[tool]") {
  const data::Volume t = truth_volume(1);
  const eval::VolumeScores same = eval::compare_volumes(t, t);
  REQUIRE(std::isinf(same.psnr));
  REQUIRE(same.ssim == Approx(1.0));
  REQUIRE(same.mae == 0.0);
  const data::Volume base = eval::interpolation_baseline(t, {2, 2, 2}, data::Interpolation::trilinear);
  REQUIRE(base.size() == t.size());
  const eval::VolumeScores b = eval::compare_volumes(base, t);
  REQUIRE(std::isfinite(b.psnr));
  REQUIRE(b.psnr > 10);
  REQUIRE(b.ssim < 1.0);
  // On this smooth volume the cubic B-spline beats trilinear, which beats nearest.
  const auto score = [&](data::Interpolation kind) {
    return eval::compare_volumes(eval::interpolation_baseline(t, {2, 2, 2}, kind), t).psnr;
  };
  CHECK(score(data::Interpolation::cubic) > b.psnr);
  CHECK(score(data::Interpolation::nearest) < b.psnr);
}

TEST_CASE("slice strips put each method's middle slice side by side on the reference's window", "[tool]") {
  const data::Volume t = truth_volume(2);  // 20 x 24 x 28
  data::Volume dark = t;
  for (float& v : dark.data) v = -1e6f;  // below any window: black
  const std::vector<eval::SlicePanel> panels = {{"dark", &dark}, {"truth", &t}};
  const data::Image across_d = eval::slice_strip(panels, t, 0, 2);
  CHECK(across_d.height == 24);         // H upwards
  CHECK(across_d.width == 2 * 28 + 2);  // W, twice, and the gap
  const data::Image across_w = eval::slice_strip(panels, t, 2, 2);
  CHECK(across_w.height == 20);
  CHECK(across_w.width == 2 * 24 + 2);
  for (int64_t r = 0; r < across_d.height; ++r) {
    CHECK(across_d.at(r, 5, 0) == 0.0f);     // the dark panel
    CHECK(across_d.at(r, 28, 0) == 255.0f);  // the gap
  }
  // The truth panel's top row is the middle D slice's last H row, on the 0.5 / 99.5 % window.
  const auto window_grey = [&](float v) {
    std::vector<float> all(t.data.begin(), t.data.end());
    const double lo = data::percentile(all, 0.5), hi = data::percentile(all, 99.5);
    return static_cast<float>(std::round(std::clamp(255.0 * (v - lo) / (hi - lo), 0.0, 255.0)));
  };
  for (int64_t c : {0, 13, 27}) CHECK(across_d.at(0, 30 + c, 0) == window_grey(t.at(0, 10, 23, c)));
  const data::Volume small = data::crop(t, {0, 0, 0}, {10, 24, 28});
  CHECK_THROWS_WITH(eval::slice_strip({{"truth", &t}, {"small", &small}}, t, 0), Catch::Contains("'small'"));
  CHECK_THROWS_WITH(eval::slice_strip(panels, t, 3), Catch::Contains("axis must be"));
}

TEST_CASE("exact tiled volume inference keeps the grid and equals whole-volume inference", "[tool]") {
  // The paper's generator, and the super-resolution recipe's (no instance norm: identities in
  // the program; global residual: the tiles' correction plus the input).
  training::TrainOptions options = tiny_3d_options();
  const bool recipe = GENERATE(false, true);
  INFO("recipe " << recipe);
  if (recipe) {
    options.norm = "none";
    options.global_residual = true;
    options.upsample = "cubic";
    options.intensity_clamp = false;  // else the brightest 0.5 % come back cut
  }
  const training::ResolvedOptions o = training::resolve_options(options);
  auto generators = training::build_generators(o);
  Generator gen(9);
  nn::init_normal(*generators, gen, 0.1);  // trained-like: the init leaves the core an identity
  const infer::VolumeTranslator t(generators, o.get(), true, Device::cpu());
  const data::Volume low = data::make_low_resolution(truth_volume(2), {2, 2, 2});
  infer::TileOptions whole = infer::default_volume_tiles();
  infer::ExecutionPlan used;
  const data::Volume a = t.translate(low, {2, 2, 2}, whole, &used);
  REQUIRE(!used.tiled);  // a small volume fits the default budget
  REQUIRE(a.size() == data::Axes3{20, 24, 28});
  infer::TileOptions tiles = whole;
  tiles.tile = 8;  // 3 x 3 x 4 cubes
  const data::Volume b = t.translate(low, {2, 2, 2}, tiles, &used);
  REQUIRE(used.tiled);
  REQUIRE(b.size() == a.size());
  float lo = a.data.front(), hi = a.data.front(), diff = 0;
  for (std::size_t i = 0; i < a.data.size(); ++i) {
    lo = std::min(lo, a.data[i]);
    hi = std::max(hi, a.data[i]);
    diff = std::max(diff, std::abs(a.data[i] - b.data[i]));
  }
  INFO("max difference " << diff << " over a range of " << hi - lo);
  CHECK(hi - lo > 0);
  CHECK(diff <= 1e-4f * (hi - lo));
  if (recipe) {
    // Untrained, the recipe's model returns the cubic B-spline interpolation (up to the float
    // rounding of normalise / denormalise), whole or in tiles.
    const infer::VolumeTranslator untrained(training::build_generators(o), o.get(), true, Device::cpu());
    const data::Volume cubic = data::interpolate_to_grid(low, a.size(), a.geometry, data::Interpolation::cubic);
    for (const infer::TileOptions* run : {&whole, &tiles}) {
      const data::Volume u = untrained.translate(low, {2, 2, 2}, *run, &used);
      float worst = 0;
      for (std::size_t i = 0; i < u.data.size(); ++i) worst = std::max(worst, std::abs(u.data[i] - cubic.data[i]));
      CHECK(worst <= 1e-5f * (hi - lo));
    }
  }
}

#if defined(REVGAN_INFER_PATH) && defined(REVGAN_EVAL_PATH)
TEST_CASE("revgan_infer --volume and revgan_eval --kind volumes end to end", "[tool]") {
  test::TempDir dir("volume-tools");
  const auto ckpt = dir / "latest.h5";
  test::write_training_checkpoint(tiny_3d_options(), ckpt);
  std::filesystem::create_directories(dir / "low");
  std::filesystem::create_directories(dir / "truth");
  const data::Volume truth = truth_volume(3);
  data::write_nifti(dir / "truth" / "a.nii.gz", truth);
  data::write_nifti(dir / "low" / "a.nii.gz", data::make_low_resolution(truth, {2, 2, 2}));
  data::write_hdf5_volume(dir / "truth" / "b.h5", "volume", truth);
  data::write_hdf5_volume(dir / "low" / "b.h5", "volume", data::make_low_resolution(truth, {2, 2, 2}));
  const auto log = dir / "log.txt";
  REQUIRE(test::run_tool(REVGAN_INFER_PATH,
                         fmt::format("--volume --checkpoint '{}' --input '{}' --output '{}' --tile 16", ckpt.string(),
                                     (dir / "low").string(), (dir / "pred").string()),
                         log) == 0);
  INFO(read_text(log));
  const data::Volume a = data::read_nifti(dir / "pred" / "a.nii.gz");
  REQUIRE(a.size() == truth.size());
  REQUIRE(data::read_volume(dir / "pred" / "b.h5").size() == truth.size());
  REQUIRE(test::count_files(dir / "pred") == 2);

  const auto json = dir / "v.json";
  REQUIRE(test::run_tool(REVGAN_EVAL_PATH,
                         fmt::format("--kind volumes --pred '{}' --truth '{}' --low '{}' --json '{}'",
                                     (dir / "pred").string(), (dir / "truth").string(), (dir / "low").string(),
                                     json.string()),
                         log) == 0);
  for (const char* method : {"model", "nearest", "trilinear", "cubic"}) {
    REQUIRE_THAT(read_text(log), Catch::Contains(method));
    REQUIRE_THAT(read_text(json), Catch::Contains(fmt::format("\"{}\": {{", method)));
  }
  REQUIRE(test::run_tool(REVGAN_EVAL_PATH,
                         fmt::format("--kind volumes --pred '{}' --truth '{}' --slices '{}'", (dir / "pred").string(),
                                     (dir / "truth").string(), (dir / "slices").string()),
                         log) == 0);
  for (const char* name : {"a_D.png", "a_H.png", "a_W.png", "b_D.png", "b_H.png", "b_W.png"}) {
    INFO(name);
    const data::Image strip = data::read_image(dir / "slices" / name);
    CHECK(strip.width > 5 * 20);  // five panels
  }
  REQUIRE(test::run_tool(REVGAN_EVAL_PATH,
                         fmt::format("--kind images --pred '{0}' --truth '{0}' --slices '{0}'", (dir / "pred").string()),
                         log) == 2);
  REQUIRE_THAT(read_text(log), Catch::Contains("--slices"));
  REQUIRE(test::run_tool(REVGAN_EVAL_PATH,
                         fmt::format("--kind volumes --pred '{0}' --truth '{0}' --json '{1}'", (dir / "truth").string(),
                                     json.string()),
                         log) == 0);
  REQUIRE_THAT(read_text(json), Catch::Contains("\"psnr\": \"inf\""));
  // An image checkpoint is refused for volumes, and image-only options with --volume.
  test::write_training_checkpoint(test::tiny_revgan_options(), dir / "img.h5");
  REQUIRE(test::run_tool(REVGAN_INFER_PATH,
                         fmt::format("--volume --checkpoint '{}' --input '{}' --output '{}'", (dir / "img.h5").string(),
                                     (dir / "low").string(), (dir / "bad").string()),
                         log) == 1);
  REQUIRE_THAT(read_text(log), Catch::Contains("translates images, not volumes"));
  REQUIRE(test::run_tool(REVGAN_INFER_PATH, "--volume --checkpoint a --input b --output c --format jpg", log) == 2);
}
#endif
