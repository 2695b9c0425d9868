// Procedural street scenes: palette, determinism, label/photo/class-map correspondence, sky on
// top, and the aligned / unaligned dataset writers.
#include <catch2/catch.hpp>

#include <set>

#include "data/dataset.hpp"
#include "data/procedural/scene.hpp"
#include "data/procedural/writers.hpp"
#include "tests/data/data_test_util.hpp"

using namespace revgan;
using namespace revgan::data;
using namespace revgan::data::procedural;
using revgan::test::TempDir;

namespace {
int64_t count_class(const Scene& s, SceneClass c) {
  return std::count(s.classes.begin(), s.classes.end(), static_cast<uint8_t>(c));
}
}  // namespace

TEST_CASE("the palette has named classes with distinct Cityscapes colours", "[data]") {
  const auto palette = scene_palette();
  REQUIRE(palette.size() >= 8);
  REQUIRE(palette.size() == static_cast<std::size_t>(scene_class_count));
  std::set<std::array<uint8_t, 3>> colours;
  std::set<std::string_view> names;
  for (const auto& e : palette) {
    colours.insert(e.rgb);
    names.insert(e.name);
  }
  REQUIRE(colours.size() == palette.size());
  for (const char* n : {"road", "sidewalk", "building", "vegetation", "sky", "car", "person", "pole"})
    REQUIRE(names.contains(n));
  REQUIRE(palette[static_cast<int>(SceneClass::road)].rgb == std::array<uint8_t, 3>{128, 64, 128});
  REQUIRE(palette[static_cast<int>(SceneClass::sky)].rgb == std::array<uint8_t, 3>{70, 130, 180});
}

TEST_CASE("scenes are deterministic in the seed", "[data]") {
  const Scene a = generate_scene(17, 96, 80), b = generate_scene(17, 96, 80), c = generate_scene(18, 96, 80);
  REQUIRE(a.photo.samples == b.photo.samples);
  REQUIRE(a.classes == b.classes);
  REQUIRE(a.classes != c.classes);
  REQUIRE(a.photo.samples != c.photo.samples);
}

TEST_CASE("label image, class map and photo correspond", "[data]") {
  for (uint64_t seed = 0; seed < 12; ++seed) {
    const int64_t size = seed % 3 == 0 ? 64 : (seed % 3 == 1 ? 128 : 256);
    INFO("seed " << seed << " size " << size);
    const Scene s = generate_scene(seed, size, size);
    REQUIRE(s.label.width == size);
    REQUIRE(s.photo.height == size);
    REQUIRE(s.photo.channels == 3);
    REQUIRE(label_image_to_classes(s.label) == s.classes);
    // Sky on top: row 0 has sky, and no sky below the middle (the horizon is at <= 50%).
    int64_t top_sky = 0;
    for (int64_t x = 0; x < size; ++x) top_sky += s.classes[static_cast<std::size_t>(x)] == 7 ? 1 : 0;
    REQUIRE(top_sky > 0);
    for (int64_t y = size / 2 + 1; y < size; ++y)
      for (int64_t x = 0; x < size; ++x) REQUIRE(s.classes[static_cast<std::size_t>(y * size + x)] != 7);
    // Road at the bottom centre region and at least one car.
    REQUIRE(count_class(s, SceneClass::road) > size * size / 20);
    REQUIRE(count_class(s, SceneClass::car) > 0);
    // The photo follows the labels: sky pixels are bluer than road pixels on average.
    double sky_blue = 0, road_blue = 0;
    int64_t n_sky = 0, n_road = 0;
    for (std::size_t p = 0; p < s.classes.size(); ++p) {
      const float* px = s.photo.samples.data() + p * 3;
      const double blueness = px[2] - 0.5 * (px[0] + px[1]);
      if (s.classes[p] == 7) sky_blue += blueness, ++n_sky;
      if (s.classes[p] == 0) road_blue += blueness, ++n_road;
    }
    REQUIRE(sky_blue / n_sky > road_blue / n_road + 10);
  }
}

TEST_CASE("label_image_to_classes snaps to the nearest palette colour", "[data]") {
  Image label = Image::blank(3, 1, 3);
  label.samples = {125, 66, 130, 3, 2, 139, 72, 128, 178};
  REQUIRE(label_image_to_classes(label) == std::vector<uint8_t>{0, 9, 7});
  REQUIRE_THROWS_WITH(label_image_to_classes(Image::blank(2, 2, 1)), Catch::Contains("RGB"));
  REQUIRE_THROWS_WITH(generate_scene(1, 32, 100), Catch::Contains("64..256"));
}

TEST_CASE("aligned writer: photo | label pairs that read back as the generated scene", "[data]") {
  TempDir dir("writer_aligned");
  const auto files = write_aligned_dataset(dir.path(), 4, 2, 64, 3);
  REQUIRE(files.size() == 6);
  REQUIRE(list_image_files(dir / "train").size() == 4);
  REQUIRE(list_image_files(dir / "test").size() == 2);
  for (const auto& f : files) {
    const Image ab = read_image(f.path);
    REQUIRE(ab.width == 128);
    REQUIRE(ab.height == 64);
    const Scene s = generate_scene(f.scene_seed, 64, 64);
    REQUIRE(crop(ab, 0, 0, 64, 64).samples == s.photo.samples);
    REQUIRE(label_image_to_classes(crop(ab, 64, 0, 64, 64)) == s.classes);
  }
  // The aligned dataset reads it with A = photo, B = label.
  DatasetOptions o;
  o.dataroot = dir.path();
  o.preprocess = Preprocess::none;
  o.no_flip = true;
  AlignedDataset ds(o);
  const Sample sample = ds.get(0);
  const Scene s0 = generate_scene(files[0].scene_seed, 64, 64);
  REQUIRE(tensor_to_image(sample.A).samples == s0.photo.samples);
  REQUIRE(tensor_to_image(sample.B).samples == s0.label.samples);
}

TEST_CASE("unaligned writer: A photos and B labels from disjoint scenes", "[data]") {
  TempDir dir("writer_unaligned");
  const auto files = write_unaligned_dataset(dir.path(), 5, 3, 64, 8);
  REQUIRE(files.size() == 16);
  std::set<uint64_t> seeds_A, seeds_B;
  for (const auto& f : files) {
    const std::string folder = f.path.parent_path().filename().string();
    const Image img = read_image(f.path);
    REQUIRE(img.width == 64);
    const Scene s = generate_scene(f.scene_seed, 64, 64);
    if (folder.ends_with("A")) {
      seeds_A.insert(f.scene_seed);
      REQUIRE(img.samples == s.photo.samples);
    } else {
      seeds_B.insert(f.scene_seed);
      REQUIRE(label_image_to_classes(img) == s.classes);
    }
  }
  REQUIRE(seeds_A.size() == 8);
  REQUIRE(seeds_B.size() == 8);
  for (uint64_t s : seeds_A) REQUIRE_FALSE(seeds_B.contains(s));
  DatasetOptions o;
  o.dataroot = dir.path();
  o.preprocess = Preprocess::crop;
  o.crop_size = 48;
  UnalignedDataset train(o);
  REQUIRE(train.size() == 5);
  o.phase = "test";
  UnalignedDataset test(o);
  REQUIRE(test.size() == 3);
}
