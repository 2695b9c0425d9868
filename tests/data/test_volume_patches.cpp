// Patch pairs: input and target are cut at the same place (checked on a linear field, which
// block averaging plus trilinear up-sampling reproduces exactly away from the borders), and
// the VolumeDataset serves them deterministically in both folder layouts through the Loader.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "data/loader.hpp"
#include "data/volume/nifti_io.hpp"
#include "data/volume/patch_sampler.hpp"
#include "data/volume/procedural_volume.hpp"
#include "data/volume/resample.hpp"
#include "data/volume/volume_dataset.hpp"
#include "tests/data/data_test_util.hpp"
#include "tests/data/volume_test_util.hpp"

using namespace revgan;
using namespace revgan::data;
using revgan::test::TempDir;
using Catch::Contains;

TEST_CASE("high-res and up-sampled low-res patches come from the same location", "[data]") {
  const Axes3 factor{2, 2, 2};
  const VolumePair pair = make_super_resolution_pair(test::ramp_volume(1, {21, 20, 18}, 1.0, 0.37, 0.11), factor);
  REQUIRE(pair.target.size() == Axes3{20, 20, 18});  // 21 cropped to a multiple of 2
  REQUIRE(pair.input.size() == pair.target.size());
  const PatchSampler sampler({6, 5, 4});
  Generator gen(7);
  int interior_checked = 0, target_mismatches = 0;
  double worst = 0.0;
  for (int n = 0; n < 20; ++n) {
    const PatchPair p = sampler.sample(pair, gen);
    REQUIRE(p.input.shape() == Shape{1, 6, 5, 4});
    REQUIRE(p.target.shape() == Shape{1, 6, 5, 4});
    const auto in = p.input.to_vector();
    const auto out = p.target.to_vector();
    for (int64_t d = 0; d < 6; ++d)
      for (int64_t h = 0; h < 5; ++h)
        for (int64_t w = 0; w < 4; ++w) {
          const Axes3 g{p.origin[0] + d, p.origin[1] + h, p.origin[2] + w};
          // The target is the high-res volume itself at the patch origin.
          const auto i = static_cast<std::size_t>((d * 5 + h) * 4 + w);
          target_mismatches += out[i] != pair.target.at(0, g[0], g[1], g[2]);
          bool interior = true;
          for (std::size_t a = 0; a < 3; ++a) interior = interior && g[a] >= 1 && g[a] <= pair.target.size()[a] - 2;
          if (!interior) continue;
          worst = std::max(worst, std::abs(in[i] - out[i]));
          ++interior_checked;
        }
  }
  REQUIRE(target_mismatches == 0);
  REQUIRE(worst < 1e-4);
  REQUIRE(interior_checked > 1000);

  // A one-voxel shift is visible, so the agreement above is not an accident of the field.
  const PatchPair a = sampler.at(pair, {5, 5, 5});
  const PatchPair b = sampler.at(pair, {6, 5, 5});
  REQUIRE(std::abs(a.input.to_vector()[0] - b.target.to_vector()[0]) > 0.1);
  REQUIRE_THROWS_WITH(PatchSampler({30, 1, 1}).sample(pair, gen), Contains("larger than the 20x20x18 volume"));
}

namespace {

void write_volumes(const std::filesystem::path& folder, int n, Axes3 size, const Axes3& low_factor = {1, 1, 1}) {
  std::filesystem::create_directories(folder);
  for (int i = 0; i < n; ++i) {
    Volume v = make_procedural_volume({.size = size, .seed = static_cast<uint64_t>(i)});
    for (float& x : v.data) x = x * 500.0f + 20.0f;
    if (low_factor != Axes3{1, 1, 1}) v = make_low_resolution(v, low_factor);
    write_nifti(folder / fmt::format("vol{}.nii.gz", i), v);
  }
}

DatasetOptions options_for(const std::filesystem::path& root) {
  DatasetOptions o;
  o.dataroot = root;
  o.seed = 4;
  return o;
}

}  // namespace

TEST_CASE("a folder of high-res volumes yields normalised, deterministic patch pairs", "[data]") {
  TempDir dir("voldata");
  write_volumes(dir.path(), 2, {26, 28, 30});
  VolumeDatasetOptions vo;
  vo.patch_size = {12, 16, 8};
  vo.patches_per_volume = 3;
  auto ds = std::make_shared<VolumeDataset>(options_for(dir.path()), vo);
  REQUIRE_FALSE(ds->paired());
  REQUIRE(ds->volume_count() == 2);
  REQUIRE(ds->size() == 6);
  REQUIRE(ds->pair(0).target.size() == Axes3{26, 28, 30});
  REQUIRE(ds->intensity(1).normalised);
  REQUIRE(ds->intensity(1).high > 100.0);  // source units, for denormalise at inference

  const Sample s = ds->get(3, 2);
  REQUIRE(s.A.shape() == Shape{1, 12, 16, 8});
  REQUIRE(s.B.shape() == Shape{1, 12, 16, 8});
  REQUIRE(s.B_path == (dir / "vol1.nii.gz").string());
  const auto a = s.A.to_vector();
  REQUIRE(std::all_of(a.begin(), a.end(), [](double x) { return x >= -1.0 && x <= 1.0; }));
  REQUIRE(ds->get(3, 2).A.to_vector() == s.A.to_vector());
  REQUIRE(ds->get(3, 5).A.to_vector() != s.A.to_vector());

  LoaderOptions lo;
  lo.batch_size = 4;
  lo.prefetch = 2;
  Loader loader(ds, lo);
  const auto batch = loader.next();
  REQUIRE(batch.has_value());
  REQUIRE(batch->A.shape() == Shape{4, 1, 12, 16, 8});
  REQUIRE(batch->B.shape() == Shape{4, 1, 12, 16, 8});
}

TEST_CASE("paired A (low-res) and B (high-res) folders are matched by name", "[data]") {
  TempDir dir("volpairs");
  write_volumes(dir / "B", 2, {16, 16, 16});
  write_volumes(dir / "A", 2, {16, 16, 16}, {2, 2, 4});
  VolumeDatasetOptions vo;
  vo.patch_size = {8, 8, 8};
  VolumeDataset ds(options_for(dir.path()), vo);
  REQUIRE(ds.paired());
  REQUIRE(ds.volume_count() == 2);
  REQUIRE(ds.pair(1).input.size() == Axes3{16, 16, 16});  // up-sampled from 8x8x4
  const Sample s = ds.get(1);
  REQUIRE(s.A_path == (dir / "A" / "vol1.nii.gz").string());
  REQUIRE(s.B_path == (dir / "B" / "vol1.nii.gz").string());
  REQUIRE(s.A.shape() == Shape{1, 8, 8, 8});

  std::filesystem::remove(dir / "A" / "vol1.nii.gz");
  REQUIRE_THROWS_WITH(VolumeDataset(options_for(dir.path()), vo),
                      Contains((dir / "B" / "vol1.nii.gz").string()) && Contains("no low-resolution partner"));
}

TEST_CASE("volume dataset errors name the folder or file", "[data]") {
  TempDir dir("volbad");
  REQUIRE_THROWS_WITH(VolumeDataset(options_for(dir / "nothing"), {}), Contains("does not exist"));
  REQUIRE_THROWS_WITH(VolumeDataset(options_for(dir.path()), {}), Contains("contains no volumes"));
  write_volumes(dir.path(), 1, {10, 10, 10});
  REQUIRE_THROWS_WITH(VolumeDataset(options_for(dir.path()), {}),
                      Contains("vol0.nii.gz") && Contains("smaller than the patch 24x24x24"));
  test::write_text(dir / "broken.nii", "garbage");
  VolumeDatasetOptions vo;
  vo.patch_size = {4, 4, 4};
  auto o = options_for(dir.path());
  REQUIRE_THROWS_WITH(VolumeDataset(o, vo), Contains("broken.nii"));
  o.skip_unreadable = true;
  VolumeDataset lenient(o, vo);
  REQUIRE(lenient.volume_count() == 1);
  REQUIRE(lenient.skipped_count() == 1);
}

TEST_CASE("procedural volumes are seeded, smooth and have edges", "[data]") {
  const ProceduralVolumeOptions o{.size = {20, 22, 24}, .seed = 9};
  const Volume a = make_procedural_volume(o);
  REQUIRE(a.channels == 1);
  REQUIRE(a.size() == Axes3{20, 22, 24});
  REQUIRE(make_procedural_volume(o).data == a.data);
  ProceduralVolumeOptions other = o;
  other.seed = 10;
  REQUIRE(make_procedural_volume(other).data != a.data);
  // Mostly flat (small steps) with some sharp edges (large steps) between neighbours.
  int flat = 0, edges = 0, steps = 0;
  for (int64_t d = 0; d < 20; ++d)
    for (int64_t h = 0; h < 22; ++h)
      for (int64_t w = 0; w + 1 < 24; ++w) {
        const float step = std::abs(a.at(0, d, h, w + 1) - a.at(0, d, h, w));
        flat += step < 0.02f;
        edges += step > 0.1f;
        ++steps;
      }
  REQUIRE(flat > steps / 2);
  REQUIRE(edges > 0);
}
