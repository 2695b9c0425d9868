// Decoding from memory: the same results as from a file, the pixel limit applied from the
// header before decoding, and errors that carry the caller's name for the bytes.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <vector>

#include "data/image.hpp"
#include "tests/data/data_test_util.hpp"

using namespace revgan;
using namespace revgan::data;
using revgan::test::TempDir;
using Catch::Contains;

namespace {
std::vector<uint8_t> bytes_of(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST_CASE("images decode from memory as from files, within a pixel limit", "[data]") {
  TempDir dir("memory");
  const Image img = test::random_image(20, 10, 3, 8);
  write_png(img, dir / "a.png");
  write_jpeg(test::smooth_image(16, 16, 1, 2), dir / "b.jpg");
  for (const char* name : {"a.png", "b.jpg"}) {
    const auto bytes = bytes_of(dir / name);
    const Image from_memory = read_image_from_memory(bytes.data(), bytes.size(), name);
    REQUIRE(from_memory.samples == read_image(dir / name).samples);
  }
  const auto png = bytes_of(dir / "a.png");
  REQUIRE(read_image_from_memory(png.data(), png.size(), "a.png").samples == img.samples);
  REQUIRE_THROWS_WITH(read_image_from_memory(png.data(), png.size(), "tiny-limit", 199),
                      Contains("tiny-limit") && Contains("too large") && Contains("20x10"));
  REQUIRE_THROWS_WITH(read_image_from_memory(png.data(), 0, "nothing"), Contains("nothing") && Contains("empty"));
  REQUIRE_THROWS_WITH(read_image_from_memory(png.data(), 20, "cut.png"), Contains("cut.png"));
}

TEST_CASE("a header declaring an enormous image is reported as too large, with its size", "[data]") {
  TempDir dir("huge-header");
  const auto put_be32 = [](std::vector<uint8_t>& b, std::size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + static_cast<std::size_t>(i)] = static_cast<uint8_t>(v >> (24 - 8 * i));
  };
  const auto put_be16 = [](std::vector<uint8_t>& b, std::size_t at, uint32_t v) {
    b[at] = static_cast<uint8_t>(v >> 8);
    b[at + 1] = static_cast<uint8_t>(v);
  };
  const auto put_le32 = [](std::vector<uint8_t>& b, std::size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + static_cast<std::size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
  };
  // PNG: the IHDR's width and height.
  write_png(test::random_image(8, 8, 3, 1), dir / "a.png");
  std::vector<uint8_t> png = bytes_of(dir / "a.png");
  put_be32(png, 16, 100000);
  put_be32(png, 20, 100000);
  CHECK_THROWS_WITH(read_image_from_memory(png.data(), png.size(), "huge.png"),
                    Contains("huge.png") && Contains("too large") && Contains("100000x100000") &&
                        Contains(std::to_string(k_max_image_pixels)));
  // Sides whose product overflows 64 bits are still too large (not a wrapped-around small size).
  put_be32(png, 16, 0xFFFFFFFFu);
  put_be32(png, 20, 0xFFFF0000u);
  CHECK_THROWS_WITH(read_image_from_memory(png.data(), png.size(), "wide.png"),
                    Contains("too large") && Contains("4294967295x4294901760"));
  // JPEG: the frame header (SOF0) after its marker and length: precision, height, width.
  write_jpeg(test::smooth_image(16, 16, 3, 2), dir / "b.jpg");
  std::vector<uint8_t> jpg = bytes_of(dir / "b.jpg");
  std::size_t sof = 2;
  while (sof + 1 < jpg.size() && !(jpg[sof] == 0xFF && jpg[sof + 1] == 0xC0)) ++sof;
  REQUIRE(sof + 9 < jpg.size());
  put_be16(jpg, sof + 5, 60000);
  put_be16(jpg, sof + 7, 50000);
  CHECK_THROWS_WITH(read_image_from_memory(jpg.data(), jpg.size(), "huge.jpg"),
                    Contains("huge.jpg") && Contains("too large") && Contains("50000x60000"));
  // BMP: a 54-byte header with width and height (negative: top-down rows).
  std::vector<uint8_t> bmp(64, 0);
  bmp[0] = 'B';
  bmp[1] = 'M';
  put_le32(bmp, 18, 70000);
  put_le32(bmp, 22, static_cast<uint32_t>(-70000));
  CHECK_THROWS_WITH(read_image_from_memory(bmp.data(), bmp.size(), "huge.bmp"),
                    Contains("too large") && Contains("70000x70000"));
  // Binary PPM.
  const std::string ppm = "P6\n100000 3000\n255\n" + std::string(64, '\0');
  CHECK_THROWS_WITH(read_image_from_memory(reinterpret_cast<const uint8_t*>(ppm.data()), ppm.size(), "huge.ppm"),
                    Contains("too large") && Contains("100000x3000"));
  // Within the limit, the same headers still decode (or fail for their own reasons).
  const std::vector<uint8_t> ok = bytes_of(dir / "a.png");
  CHECK(read_image_from_memory(ok.data(), ok.size(), "a.png").width == 8);
}
