// Image I/O and conversions: lossless 8/16-bit PNG and tensor round trips, gray, alpha
// dropping, JPEG within a tolerance, luma, resize, and errors that name the file.
#include <catch2/catch.hpp>

#include <cmath>

#include "data/image.hpp"
#include "tests/data/data_test_util.hpp"

using namespace revgan;
using namespace revgan::data;
using revgan::test::TempDir;

namespace {
float max_abs_diff(const Image& a, const Image& b) {
  REQUIRE(a.samples.size() == b.samples.size());
  float worst = 0;
  for (std::size_t i = 0; i < a.samples.size(); ++i) worst = std::max(worst, std::abs(a.samples[i] - b.samples[i]));
  return worst;
}
}  // namespace

TEST_CASE("8-bit RGB PNG round trips losslessly through a tensor", "[data]") {
  TempDir dir("image8");
  const Image img = test::random_image(37, 23, 3, 1);
  write_png(img, dir / "a.png");
  const Image back = read_image(dir / "a.png");
  REQUIRE(back.width == 37);
  REQUIRE(back.height == 23);
  REQUIRE(back.channels == 3);
  REQUIRE(back.bit_depth == 8);
  REQUIRE(back.samples == img.samples);

  const Tensor t = image_to_tensor(back);
  REQUIRE(t.shape() == Shape{3, 23, 37});
  const auto v = t.to_vector();
  REQUIRE(*std::min_element(v.begin(), v.end()) >= -1.0);
  REQUIRE(*std::max_element(v.begin(), v.end()) <= 1.0);
  REQUIRE(tensor_to_image(t).samples == img.samples);
  // CHW layout: channel 1 of pixel (y=2, x=5).
  REQUIRE(v[static_cast<std::size_t>(1 * 23 * 37 + 2 * 37 + 5)] == Approx(img.at(2, 5, 1) / 255.0 * 2 - 1).margin(1e-6));
}

TEST_CASE("16-bit PNG keeps 16 bits through file and tensor", "[data]") {
  TempDir dir("image16");
  for (int64_t channels : {1, 3}) {
    const Image img = test::random_image(19, 11, channels, 2, 16);
    const auto path = dir / fmt::format("c{}.png", channels);
    write_png(img, path);
    const Image back = read_image(path);
    REQUIRE(back.bit_depth == 16);
    REQUIRE(back.channels == channels);
    REQUIRE(back.samples == img.samples);
    REQUIRE(tensor_to_image(image_to_tensor(back), 16).samples == img.samples);
    REQUIRE(probe_image(path).bit_depth == 16);
  }
}

TEST_CASE("gray PNG stays one channel", "[data]") {
  TempDir dir("gray");
  const Image img = test::random_image(16, 9, 1, 3);
  write_png(img, dir / "g.png");
  const Image back = read_image(dir / "g.png");
  REQUIRE(back.channels == 1);
  REQUIRE(back.samples == img.samples);
  const Tensor t = image_to_tensor(back);
  REQUIRE(t.shape() == Shape{1, 9, 16});
  REQUIRE(tensor_to_image(t.reshape({1, 1, 9, 16})).samples == img.samples);
}

TEST_CASE("alpha is dropped (RGBA TGA -> RGB)", "[data]") {
  TempDir dir("tga");
  // Uncompressed 32-bit TGA, 2x1, top-left origin; pixels stored as BGRA.
  const unsigned char bytes[] = {0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 0, 32, 0x28,
                                 10, 20, 30, 255, 40, 50, 60, 0};
  test::write_text(dir / "rgba.TGA", std::string(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
  const Image img = read_image(dir / "rgba.TGA");
  REQUIRE(img.channels == 3);
  REQUIRE(img.samples == std::vector<float>{30, 20, 10, 60, 50, 40});
}

TEST_CASE("JPEG round trip stays within a tolerance", "[data]") {
  TempDir dir("jpeg");
  const Image img = test::smooth_image(64, 48, 3, 4);
  write_jpeg(img, dir / "a.jpg", 95);
  const Image back = read_image(dir / "a.jpg");
  REQUIRE(back.channels == 3);
  REQUIRE(back.width == 64);
  REQUIRE(max_abs_diff(img, back) <= 12.0f);
  double mean = 0;
  for (std::size_t i = 0; i < img.samples.size(); ++i) mean += std::abs(img.samples[i] - back.samples[i]);
  REQUIRE(mean / static_cast<double>(img.samples.size()) < 2.0);
}

TEST_CASE("channel conversion: gray replicates, RGB uses ITU-R 601 luma", "[data]") {
  Image rgb = Image::blank(2, 1, 3);
  rgb.samples = {255, 0, 0, 10, 200, 30};
  const Image gray = convert_channels(rgb, 1);
  REQUIRE(gray.channels == 1);
  REQUIRE(gray.samples[0] == Approx(0.299 * 255));
  REQUIRE(gray.samples[1] == Approx(0.299 * 10 + 0.587 * 200 + 0.114 * 30));
  const Image back = convert_channels(gray, 3);
  REQUIRE(back.samples[3] == gray.samples[1]);
  REQUIRE(back.samples[4] == gray.samples[1]);
  REQUIRE(back.samples[5] == gray.samples[1]);
  REQUIRE_THROWS_WITH(convert_channels(rgb, 2), Catch::Contains("2 channels"));
}

TEST_CASE("cubic resize keeps constants, sizes and range", "[data]") {
  const Image flat = Image::blank(30, 20, 3, 8, 77.0f);
  const Image big = resize(flat, 61, 45);
  REQUIRE(big.width == 61);
  REQUIRE(big.height == 45);
  for (float v : big.samples) REQUIRE(v == Approx(77.0f).margin(1e-3));
  // A hard edge overshoots under Catmull-Rom; the result must stay in range.
  Image edge = Image::blank(8, 8, 1);
  for (int64_t y = 0; y < 8; ++y)
    for (int64_t x = 4; x < 8; ++x) edge.at(y, x, 0) = 255;
  for (float v : resize(edge, 29, 29).samples) REQUIRE((v >= 0.0f && v <= 255.0f));
  const Image small = resize(test::random_image(40, 40, 3, 5), 13, 7);
  REQUIRE(small.samples.size() == 13u * 7u * 3u);
}

TEST_CASE("crop, flip and concat", "[data]") {
  const Image img = test::random_image(10, 6, 3, 6);
  const Image c = crop(img, 2, 1, 5, 4);
  REQUIRE(c.at(0, 0, 2) == img.at(1, 2, 2));
  REQUIRE(c.at(3, 4, 0) == img.at(4, 6, 0));
  const Image f = flip_horizontal(img);
  REQUIRE(f.at(3, 0, 1) == img.at(3, 9, 1));
  const Image both = concat_horizontal(img, f);
  REQUIRE(both.width == 20);
  REQUIRE(both.at(5, 12, 0) == f.at(5, 2, 0));
  REQUIRE_THROWS_WITH(crop(img, 8, 0, 5, 2), Catch::Contains("does not fit"));
}

TEST_CASE("tensor_to_image rejects bad shapes", "[data]") {
  REQUIRE_THROWS_WITH(tensor_to_image(Tensor::empty({2, 4, 4})), Catch::Contains("2 channels"));
  REQUIRE_THROWS_WITH(tensor_to_image(Tensor::empty({2, 3, 4, 4})), Catch::Contains("[1, C, H, W]"));
}

TEST_CASE("image errors name the file and the reason", "[data]") {
  TempDir dir("imgerr");
  const auto missing = dir / "missing.png";
  REQUIRE_THROWS_WITH(read_image(missing), Catch::Contains(missing.string()) && Catch::Contains("does not exist"));
  const auto junk = dir / "junk.png";
  test::write_text(junk, "this is not an image at all");
  REQUIRE_THROWS_WITH(read_image(junk), Catch::Contains(junk.string()) && Catch::Contains("cannot read image"));
  REQUIRE_THROWS_WITH(probe_image(junk), Catch::Contains(junk.string()));
  const auto nowhere = dir / "no_such_folder" / "x.png";
  REQUIRE_THROWS_WITH(write_png(test::random_image(4, 4, 3, 1), nowhere),
                      Catch::Contains(nowhere.string()) && Catch::Contains("does not exist"));
}
