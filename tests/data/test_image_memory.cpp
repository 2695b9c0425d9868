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
