// The revgan_datagen command line: --help, exit code 2 for usage errors, 1 for engine errors,
// a small generated dataset that the dataset classes can read, and --kind halves, which cuts a
// volume into a training and a held-out half (plus the held-out half's block average).
#include <catch2/catch.hpp>

#include "data/dataset.hpp"
#include "data/volume/nifti_io.hpp"
#include "data/volume/procedural_volume.hpp"
#include "data/volume/volume_dataset.hpp"
#include "tests/data/data_test_util.hpp"
#include "tests/support/subprocess.hpp"

using namespace revgan;
using revgan::test::read_text;
using revgan::test::TempDir;

#ifdef REVGAN_DATAGEN_PATH
namespace {
int run_tool(const std::string& args, const std::filesystem::path& log) {
  return test::run_tool(REVGAN_DATAGEN_PATH, args, log);
}
}  // namespace

TEST_CASE("revgan_datagen: help, usage errors and a small run", "[data]") {
  TempDir dir("datagen");
  const auto log = dir / "log.txt";
  REQUIRE(run_tool("--help", log) == 0);
  const std::string help = read_text(log);
  for (const char* opt : {"--out", "--kind", "--size", "--train", "--test", "--seed", "(default: 128)", "(default: 200)",
                          "(default: 50)", "(default: 1)"})
    REQUIRE_THAT(help, Catch::Contains(opt));
  REQUIRE(run_tool("--out x --frobnicate 3", log) == 2);
  REQUIRE_THAT(read_text(log), Catch::Contains("--frobnicate"));
  REQUIRE(run_tool("--out x --kind sideways", log) == 2);
  REQUIRE(run_tool("--out x --size 12", log) == 2);
  REQUIRE(run_tool("", log) == 2);
  // An engine error (unwritable output) is caught at main and printed.
  test::write_text(dir / "file", "x");
  REQUIRE(run_tool(fmt::format("--out '{}' --train 1 --test 0", (dir / "file" / "sub").string()), log) == 1);
  REQUIRE_THAT(read_text(log), Catch::Contains("cannot create folder"));

  const auto out = dir / "both";
  REQUIRE(run_tool(fmt::format("--out '{}' --kind both --size 64 --train 3 --test 2 --seed 4", out.string()), log) == 0);
  data::DatasetOptions o;
  o.dataroot = out / "aligned";
  o.preprocess = data::Preprocess::none;
  REQUIRE(data::AlignedDataset(o).size() == 3);
  o.dataroot = out / "unaligned";
  o.phase = "test";
  data::UnalignedDataset unaligned(o);
  REQUIRE(unaligned.size() == 2);
  REQUIRE(unaligned.get(1).A.shape() == Shape{3, 64, 64});
}

TEST_CASE("revgan_datagen --kind halves: a training half, a held-out half and its block average", "[data]") {
  TempDir dir("datagen-halves");
  const auto log = dir / "log.txt";
  data::ProceduralVolumeOptions po;
  po.size = {8, 10, 13};
  const data::Volume whole = data::make_procedural_volume(po);
  data::write_nifti(dir / "brain.nii.gz", whole);
  REQUIRE(run_tool(fmt::format("--kind halves --volume '{}' --axis W --factor 2 --out '{}'",
                               (dir / "brain.nii.gz").string(), (dir / "out").string()),
                   log) == 0);
  const data::Volume train = data::read_volume(dir / "out" / "train" / "brain.nii.gz");
  const data::Volume test = data::read_volume(dir / "out" / "test" / "brain.nii.gz");
  const data::Volume low = data::read_volume(dir / "out" / "test_low" / "brain.nii.gz");
  CHECK(train.size() == data::Axes3{8, 10, 6});
  CHECK(test.size() == data::Axes3{8, 10, 7});
  CHECK(low.size() == data::Axes3{4, 5, 3});
  CHECK(test.at(0, 3, 4, 0) == whole.at(0, 3, 4, 6));
  double block = 0.0;  // the first 2x2x2 block of the held-out half
  for (int64_t d = 0; d < 2; ++d)
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t w = 0; w < 2; ++w) block += test.at(0, d, h, w) / 8.0;
  CHECK(low.at(0, 0, 0, 0) == Approx(block).epsilon(1e-5));
  REQUIRE(run_tool(fmt::format("--kind halves --out '{}'", (dir / "x").string()), log) == 2);
  REQUIRE_THAT(read_text(log), Catch::Contains("--volume"));
  REQUIRE(run_tool(fmt::format("--kind halves --volume '{}' --axis Q --out '{}'", (dir / "brain.nii.gz").string(),
                               (dir / "x").string()),
                   log) == 2);
  REQUIRE(run_tool(fmt::format("--kind aligned --factor 2 --out '{}'", (dir / "x").string()), log) == 2);
}
#endif
