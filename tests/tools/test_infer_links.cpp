// revgan_infer on folders that hold symlinks (datasets are often linked into place): outputs are
// named from the paths as listed and land under --output; no source is ever replaced, and an
// output that would land outside --output or on an input is refused before anything is written.
#include <catch2/catch.hpp>

#include "data/volume/nifti_io.hpp"
#include "data/volume/procedural_volume.hpp"
#include "data/volume/resample.hpp"
#include "tests/tools/tool_test_util.hpp"
#include "tools/infer/output_plan.hpp"

using namespace revgan;
using test::read_text;
using test::TempDir;
namespace fs = std::filesystem;

#if defined(REVGAN_INFER_PATH)

namespace {

int run_infer(const std::string& args, const fs::path& log) { return test::run_tool(REVGAN_INFER_PATH, args, log); }

// src/scene.png, srcdir/inner.png, and in/ holding only links to them: a file link and a folder
// link, both relative and pointing outside in/.
struct LinkedDataset {
  explicit LinkedDataset(const TempDir& dir) : root(dir.path()) {
    fs::create_directories(root / "src");
    fs::create_directories(root / "srcdir");
    fs::create_directories(root / "in");
    data::write_png(test::random_image(16, 12, 3, 1), root / "src" / "scene.png");
    data::write_png(test::random_image(12, 16, 3, 2), root / "srcdir" / "inner.png");
    fs::create_symlink("../src/scene.png", root / "in" / "scene.png");
    fs::create_directory_symlink("../srcdir", root / "in" / "linked");
    scene = read_text(root / "src" / "scene.png");
    inner = read_text(root / "srcdir" / "inner.png");
  }
  bool sources_unchanged() const {
    return read_text(root / "src" / "scene.png") == scene && read_text(root / "srcdir" / "inner.png") == inner &&
           test::count_files(root / "src") == 1 && test::count_files(root / "srcdir") == 1;
  }
  fs::path root;
  std::string scene, inner;
};

}  // namespace

TEST_CASE("revgan_infer: symlinked files and folders are translated under --output, sources untouched", "[tool]") {
  TempDir dir("infer-links");
  const LinkedDataset data(dir);
  const auto ckpt = dir / "latest.h5";
  test::write_training_checkpoint(test::tiny_revgan_options(), ckpt);
  const auto log = dir / "log.txt";
  REQUIRE(run_infer(fmt::format("--checkpoint '{}' --input '{}' --output '{}'", ckpt.string(), (dir / "in").string(),
                            (dir / "out").string()),
                log) == 0);
  INFO(read_text(log));
  CHECK(data.sources_unchanged());
  CHECK(data::read_image(dir / "out" / "scene.png").width == 16);
  CHECK(data::read_image(dir / "out" / "linked" / "inner.png").width == 12);
  CHECK(test::count_files(dir / "out") == 2);
  CHECK(!fs::is_symlink(dir / "out" / "scene.png"));

  // The same input folder given through a path with a link and "..": names stay lexical.
  fs::create_directory_symlink(dir / "in", dir / "in_link");
  REQUIRE(run_infer(fmt::format("--checkpoint '{}' --input '{}' --output '{}' --format jpg", ckpt.string(),
                            (dir / "in_link" / ".." / "in_link").string(), (dir / "out2").string()),
                log) == 0);
  CHECK(data.sources_unchanged());
  CHECK(fs::is_regular_file(dir / "out2" / "scene.jpg"));
  CHECK(fs::is_regular_file(dir / "out2" / "linked" / "inner.jpg"));
  CHECK(test::count_files(dir / "out2") == 2);
}

TEST_CASE("revgan_infer: an output that would replace an input or leave --output is refused", "[tool]") {
  TempDir dir("infer-refuse");
  const LinkedDataset data(dir);
  const auto ckpt = dir / "latest.h5";
  test::write_training_checkpoint(test::tiny_revgan_options(), ckpt);
  const auto log = dir / "log.txt";

  // --output is the folder the links point into: out/scene.png would be src/scene.png.
  REQUIRE(run_infer(fmt::format("--checkpoint '{}' --input '{}' --output '{}'", ckpt.string(), (dir / "in").string(),
                            (dir / "src").string()),
                log) == 1);
  CHECK_THAT(read_text(log), Catch::Contains("would replace the input") && Catch::Contains("scene.png"));
  CHECK(data.sources_unchanged());

  // --output equal to --input, with a real file in it.
  fs::create_directories(dir / "plain");
  data::write_png(test::random_image(8, 8, 3, 3), dir / "plain" / "a.png");
  const std::string plain = read_text(dir / "plain" / "a.png");
  REQUIRE(run_infer(fmt::format("--checkpoint '{}' --input '{}' --output '{}'", ckpt.string(), (dir / "plain").string(),
                            (dir / "plain").string()),
                log) == 1);
  CHECK_THAT(read_text(log), Catch::Contains("would replace the input"));
  CHECK(read_text(dir / "plain" / "a.png") == plain);

  // A sub-folder of --output that is a link to somewhere else: nothing is written through it.
  fs::create_directories(dir / "out");
  fs::create_directories(dir / "elsewhere");
  fs::create_directory_symlink("../elsewhere", dir / "out" / "linked");
  REQUIRE(run_infer(fmt::format("--checkpoint '{}' --input '{}' --output '{}'", ckpt.string(), (dir / "in").string(),
                            (dir / "out").string()),
                log) == 1);
  CHECK_THAT(read_text(log), Catch::Contains("outside the output folder"));
  CHECK(test::count_files(dir / "elsewhere") == 0);
  CHECK(data.sources_unchanged());
}

TEST_CASE("revgan_infer --volume: a symlinked volume is written under --output, its source untouched", "[tool]") {
  TempDir dir("infer-volume-links");
  training::TrainOptions o = test::tiny_revgan_options("revgan3d_paired");
  o.ngf = 4;
  o.input_nc = 1;
  o.output_nc = 1;
  const auto ckpt = dir / "latest.h5";
  test::write_training_checkpoint(o, ckpt);
  data::ProceduralVolumeOptions vo;
  vo.size = {8, 8, 8};
  fs::create_directories(dir / "src");
  fs::create_directories(dir / "in");
  data::write_nifti(dir / "src" / "brain.nii.gz", data::make_procedural_volume(vo));
  fs::create_symlink("../src/brain.nii.gz", dir / "in" / "brain.nii.gz");
  const std::string before = read_text(dir / "src" / "brain.nii.gz");
  const auto log = dir / "log.txt";
  REQUIRE(run_infer(fmt::format("--volume --factor 1 --checkpoint '{}' --input '{}' --output '{}'", ckpt.string(),
                            (dir / "in").string(), (dir / "out").string()),
                log) == 0);
  INFO(read_text(log));
  CHECK(read_text(dir / "src" / "brain.nii.gz") == before);
  CHECK(test::count_files(dir / "src") == 1);
  CHECK(data::read_nifti(dir / "out" / "brain.nii.gz").size() == data::Axes3{8, 8, 8});
  CHECK(test::count_files(dir / "out") == 1);
}

#endif

TEST_CASE("plan_files: outputs mirror the listed names lexically and stay inside the output folder", "[tool]") {
  TempDir dir("plan-files");
  fs::create_directories(dir / "in" / "a");
  const fs::path in = dir / "in";
  const auto plan = infer::plan_files(in, {in / "a" / "x.jpg", in / "b.png"}, dir / "out", "png");
  REQUIRE(plan.size() == 2);
  CHECK(plan[0].output == dir / "out" / "a" / "x.png");
  CHECK(plan[1].output == dir / "out" / "b.png");
  // A listed path outside the input folder (lexically) is refused, whatever exists on disk.
  CHECK_THROWS_WITH(infer::plan_files(in, {in / ".." / "escape.png"}, dir / "out", "png"),
                    Catch::Contains("not inside the input folder"));
  // Two inputs with one output name.
  CHECK_THROWS_WITH(infer::plan_files(in, {in / "b.png", in / "b.jpg"}, dir / "out", "png"),
                    Catch::Contains("would both be written"));
}
