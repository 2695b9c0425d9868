// 3D paths of the tools: revgan_infer --volume keeps names, formats and the up-sampled grid;
// revgan_eval --kind volumes scores identical volumes as perfect and reports the nearest,
// trilinear and cubic baselines next to the model.
#include <catch2/catch.hpp>

#include <cmath>

#include "data/volume/hdf5_volume.hpp"
#include "data/volume/nifti_io.hpp"
#include "data/volume/procedural_volume.hpp"
#include "data/volume/resample.hpp"
#include "data/volume/volume_dataset.hpp"
#include "tests/tools/tool_test_util.hpp"
#include "tools/eval/volume_eval.hpp"
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

TEST_CASE("tiled volume inference keeps the grid and stays close to whole-volume inference", "[tool]") {
  const training::ResolvedOptions o = training::resolve_options(tiny_3d_options());
  const infer::VolumeTranslator t(training::build_generators(o), o.get(), true, Device::cpu());
  const data::Volume low = data::make_low_resolution(truth_volume(2), {2, 2, 2});
  infer::TileOptions whole = infer::default_volume_tiles();
  const data::Volume a = t.translate(low, {2, 2, 2}, whole);
  REQUIRE(a.size() == data::Axes3{20, 24, 28});
  infer::TileOptions tiles = whole;
  tiles.tile = 16;
  tiles.overlap = 8;
  const data::Volume b = t.translate(low, {2, 2, 2}, tiles);
  REQUIRE(b.size() == a.size());
  double diff = 0;
  for (std::size_t i = 0; i < a.data.size(); ++i) diff += std::abs(a.data[i] - b.data[i]);
  // The stem's instance norm sees each tile's statistics; the rest is local at initialisation.
  REQUIRE(diff / static_cast<double>(a.data.size()) < 0.1);
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
