// Dataset layouts: file listing (sorted, case-insensitive extensions, max_dataset_size), the
// unaligned epoch length and B choice, the single layout, and the factory.
#include <catch2/catch.hpp>

#include <set>

#include "data/dataset.hpp"
#include "tests/data/data_test_util.hpp"

using namespace revgan;
using namespace revgan::data;
using revgan::test::TempDir;

namespace {

void write_images(const std::filesystem::path& folder, const std::vector<std::string>& names, int64_t w, int64_t h,
                  uint64_t seed) {
  std::filesystem::create_directories(folder);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const Image img = test::random_image(w, h, 3, seed + i);
    const auto path = folder / names[i];
    const std::string ext = path.extension().string();
    if (ext == ".jpg" || ext == ".JPG" || ext == ".jpeg" || ext == ".JpG") write_jpeg(img, path);
    else write_png(img, path);
  }
}

DatasetOptions small_options(const std::filesystem::path& root) {
  DatasetOptions o;
  o.dataroot = root;
  o.preprocess = Preprocess::crop;
  o.crop_size = 16;
  o.seed = 5;
  return o;
}

}  // namespace

TEST_CASE("image files are listed sorted with case-insensitive extensions", "[data]") {
  TempDir dir("list");
  write_images(dir.path(), {"b.PNG", "a.png", "c.JpG", "d.jpeg"}, 8, 8, 1);
  std::filesystem::create_directories(dir / "sub");
  write_images(dir / "sub", {"e.png"}, 8, 8, 9);
  test::write_text(dir / "notes.txt", "not an image");
  std::filesystem::create_directories(dir / ".hidden");
  write_images(dir / ".hidden", {"x.png"}, 8, 8, 3);
  const auto files = list_image_files(dir.path());
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(std::filesystem::relative(f, dir.path()).string());
  REQUIRE(names == std::vector<std::string>{"a.png", "b.PNG", "c.JpG", "d.jpeg", "sub/e.png"});
}

TEST_CASE("unaligned epoch length is max(|A|, |B|)", "[data]") {
  TempDir dir("unaligned");
  write_images(dir / "trainA", {"a0.png", "a1.png", "a2.png"}, 20, 20, 10);
  write_images(dir / "trainB", {"b0.png", "b1.png", "b2.png", "b3.png", "b4.png"}, 24, 18, 20);
  auto o = small_options(dir.path());
  UnalignedDataset ds(o);
  REQUIRE(ds.size_A() == 3);
  REQUIRE(ds.size_B() == 5);
  REQUIRE(ds.size() == 5);
  // A cycles; B is random but the same for the same (seed, epoch, index).
  std::set<std::string> b_seen;
  for (uint64_t epoch = 0; epoch < 4; ++epoch)
    for (int64_t i = 0; i < ds.size(); ++i) {
      const Sample s = ds.get(i, epoch);
      REQUIRE(std::filesystem::path(s.A_path).filename() == fmt::format("a{}.png", i % 3));
      REQUIRE(s.B_path == ds.get(i, epoch).B_path);
      REQUIRE(s.A.shape() == Shape{3, 16, 16});
      b_seen.insert(s.B_path);
    }
  REQUIRE(b_seen.size() >= 4);

  o.serial_batches = true;
  UnalignedDataset serial(o);
  for (int64_t i = 0; i < serial.size(); ++i)
    REQUIRE(std::filesystem::path(serial.get(i, 7).B_path).filename() == fmt::format("b{}.png", i % 5));

  o.max_dataset_size = 2;
  UnalignedDataset capped(o);
  REQUIRE(capped.size() == 2);

  o.max_dataset_size = std::numeric_limits<int64_t>::max();
  o.direction = Direction::BtoA;
  UnalignedDataset swapped(o);
  REQUIRE(swapped.size_A() == 5);
  REQUIRE(std::filesystem::path(swapped.get(0).A_path).parent_path().filename() == "trainB");
}

TEST_CASE("single dataset reads dataroot itself and sets only A", "[data]") {
  TempDir dir("single");
  write_images(dir.path(), {"x.png", "y.png"}, 20, 20, 30);
  auto o = small_options(dir.path());
  o.input_nc = 1;
  auto ds = make_dataset("single", o);
  REQUIRE(ds->size() == 2);
  const Sample s = ds->get(1);
  REQUIRE(s.A.shape() == Shape{1, 16, 16});
  REQUIRE_FALSE(s.B.defined());
  const Batch b = collate({ds->get(0), ds->get(1)});
  REQUIRE(b.A.shape() == Shape{2, 1, 16, 16});
  REQUIRE_FALSE(b.B.defined());
  REQUIRE(b.size() == 2);
  REQUIRE_THROWS_WITH(make_dataset("paired", o), Catch::Contains("unknown dataset mode"));
}

TEST_CASE("collate stacks samples in order", "[data]") {
  TempDir dir("collate");
  write_images(dir / "train", {"p0.png", "p1.png", "p2.png"}, 40, 20, 40);
  AlignedDataset ds(small_options(dir.path()));
  std::vector<Sample> samples{ds.get(2), ds.get(0)};
  const Batch b = collate(samples);
  REQUIRE(b.A.shape() == Shape{2, 3, 16, 16});
  REQUIRE(b.B.shape() == Shape{2, 3, 16, 16});
  REQUIRE(b.A_paths == std::vector<std::string>{samples[0].A_path, samples[1].A_path});
  const auto all = b.B.to_vector(), second = samples[1].B.to_vector();
  REQUIRE(std::equal(second.begin(), second.end(), all.begin() + 3 * 16 * 16));
}

TEST_CASE("option names parse", "[data]") {
  REQUIRE(parse_preprocess("scale_width_and_crop") == Preprocess::scale_width_and_crop);
  REQUIRE(preprocess_name(Preprocess::resize_and_crop) == "resize_and_crop");
  REQUIRE(parse_direction("BtoA") == Direction::BtoA);
  REQUIRE_THROWS_WITH(parse_preprocess("zoom"), Catch::Contains("zoom"));
  REQUIRE_THROWS_WITH(parse_direction("sideways"), Catch::Contains("sideways"));
}
