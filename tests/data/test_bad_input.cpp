// Bad input is reported up front where possible, and every message names the file or folder
// and the problem; skip_unreadable drops unreadable files and counts them.
#include <catch2/catch.hpp>

#include "data/dataset.hpp"
#include "tests/data/data_test_util.hpp"

using namespace revgan;
using namespace revgan::data;
using revgan::test::TempDir;
using Catch::Contains;

namespace {
DatasetOptions crop_options(const std::filesystem::path& root, int64_t crop = 16) {
  DatasetOptions o;
  o.dataroot = root;
  o.preprocess = Preprocess::crop;
  o.crop_size = crop;
  return o;
}
void write_pngs(const std::filesystem::path& folder, int64_t n, int64_t w, int64_t h) {
  std::filesystem::create_directories(folder);
  for (int64_t i = 0; i < n; ++i)
    write_png(test::random_image(w, h, 3, static_cast<uint64_t>(i)), folder / fmt::format("{:02}.png", i));
}
}  // namespace

TEST_CASE("missing and empty folders are named at construction", "[data]") {
  TempDir dir("badfolders");
  const auto train = (dir / "train").string();
  REQUIRE_THROWS_WITH(AlignedDataset(crop_options(dir.path())), Contains(train) && Contains("does not exist"));
  std::filesystem::create_directories(dir / "train");
  test::write_text(dir / "train" / "readme.txt", "no images here");
  REQUIRE_THROWS_WITH(AlignedDataset(crop_options(dir.path())), Contains(train) && Contains("contains no images"));

  write_pngs(dir / "trainA", 2, 20, 20);
  const auto trainB = (dir / "trainB").string();
  REQUIRE_THROWS_WITH(UnalignedDataset(crop_options(dir.path())), Contains(trainB) && Contains("does not exist"));
  std::filesystem::create_directories(dir / "trainB");
  REQUIRE_THROWS_WITH(UnalignedDataset(crop_options(dir.path())), Contains(trainB) && Contains("contains no images"));
}

TEST_CASE("an unreadable or non-image file is named, or skipped and counted", "[data]") {
  TempDir dir("badfile");
  write_pngs(dir / "train", 3, 40, 20);
  const auto junk = dir / "train" / "01b.png";
  test::write_text(junk, "<html>not a png</html>");
  REQUIRE_THROWS_WITH(AlignedDataset(crop_options(dir.path())), Contains(junk.string()) && Contains("cannot read"));

  auto o = crop_options(dir.path());
  o.skip_unreadable = true;
  AlignedDataset ds(o);
  REQUIRE(ds.size() == 3);
  REQUIRE(ds.skipped_count() == 1);
  REQUIRE(ds.skipped_files().at(0).path == junk.string());
  REQUIRE_FALSE(ds.skipped_files().at(0).reason.empty());

  // A file that breaks after construction (header gone after probing) fails at get(), or is
  // replaced by the next file under skip_unreadable.
  std::filesystem::remove(junk);
  AlignedDataset strict(crop_options(dir.path()));
  AlignedDataset lenient(o);
  REQUIRE(lenient.skipped_count() == 0);
  const auto victim = dir / "train" / "02.png";
  test::write_text(victim, "\x89PNG\r\n\x1a\n");
  REQUIRE_THROWS_WITH(strict.get(2), Contains(victim.string()));
  const Sample s = lenient.get(2);
  REQUIRE(std::filesystem::path(s.A_path).filename() == "00.png");
  REQUIRE(lenient.skipped_count() == 1);
  REQUIRE(lenient.skipped_files().at(0).path == victim.string());
}

TEST_CASE("a crop larger than the image is named at construction", "[data]") {
  TempDir dir("badcrop");
  write_pngs(dir / "train", 1, 200, 100);   // halves of 100 x 100
  write_pngs(dir / "trainA", 1, 64, 64);
  write_pngs(dir / "trainB", 1, 64, 50);
  const auto pair = (dir / "train" / "00.png").string();
  REQUIRE_THROWS_WITH(AlignedDataset(crop_options(dir.path(), 128)),
                      Contains(pair) && Contains("crop_size 128 is larger than the image (100x100"));
  REQUIRE_NOTHROW(AlignedDataset(crop_options(dir.path(), 100)));
  const auto b = (dir / "trainB" / "00.png").string();
  REQUIRE_THROWS_WITH(UnalignedDataset(crop_options(dir.path(), 60)), Contains(b) && Contains("larger than the image"));

  auto o = crop_options(dir.path(), 300);
  o.preprocess = Preprocess::resize_and_crop;
  o.load_size = 286;
  REQUIRE_THROWS_WITH(AlignedDataset(o), Contains(dir.path().string()) && Contains("larger than load_size"));
}

TEST_CASE("mismatched channel counts and sizes are named", "[data]") {
  TempDir dir("badchannels");
  write_pngs(dir / "train", 2, 40, 20);
  auto o = crop_options(dir.path());
  o.input_nc = 2;
  REQUIRE_THROWS_WITH(AlignedDataset(o), Contains(dir.path().string()) && Contains("input_nc = 2"));
  o.input_nc = 3;
  o.output_nc = 4;
  REQUIRE_THROWS_WITH(AlignedDataset(o), Contains("output_nc = 4"));

  // Samples that cannot be stacked: gray vs RGB, or different sizes under preprocess none.
  o.output_nc = 3;
  AlignedDataset rgb(o);
  o.input_nc = 1;
  AlignedDataset gray(o);
  const Sample a = rgb.get(0), g = gray.get(1);
  REQUIRE_THROWS_WITH(collate({a, g}), Contains(g.A_path) && Contains(a.A_path) && Contains("mismatched"));

  std::filesystem::create_directories(dir / "single");
  write_png(test::random_image(32, 32, 3, 1), dir / "single" / "a.png");
  write_png(test::random_image(48, 32, 1, 2), dir / "single" / "b.png");
  auto so = crop_options(dir / "single");
  so.preprocess = Preprocess::none;
  SingleDataset single(so);
  const Sample s0 = single.get(0), s1 = single.get(1);
  REQUIRE(s1.A.shape() == Shape{3, 32, 48});  // gray file, replicated to input_nc = 3
  REQUIRE_THROWS_WITH(collate({s0, s1}), Contains((dir / "single" / "b.png").string()));
}
