// JPEG decoding equals PIL's, bit for bit, on the files of tests/data/jpeg_golden (written and
// decoded once by make_jpeg_golden.py with PIL); a JPEG written by data::write_jpeg decodes to
// the pixels of PIL's own JPEG at the same quality; the JPEG decoder's refusals.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "data/image.hpp"
#include "data/jpeg_codec.hpp"
#include "tests/data/data_test_util.hpp"

using namespace revgan;
using namespace revgan::data;

namespace {

const std::filesystem::path golden_dir = std::filesystem::path(REVGAN_TEST_DATA_DIR) / "data" / "jpeg_golden";

std::vector<uint8_t> bytes_of(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

struct GoldenCase {
  std::string file, pixels;
  int64_t width = 0, height = 0, channels = 0;
};

std::vector<GoldenCase> golden_cases() {
  std::ifstream manifest(golden_dir / "golden.txt");
  REQUIRE(manifest.good());
  std::vector<GoldenCase> cases;
  std::string line;
  while (std::getline(manifest, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    GoldenCase c;
    fields >> c.file >> c.width >> c.height >> c.channels >> c.pixels;
    REQUIRE(!fields.fail());
    cases.push_back(c);
  }
  return cases;
}

// Number of samples that differ from `expected` (8-bit, row-major, interleaved).
int64_t mismatches(const Image& image, const std::vector<uint8_t>& expected) {
  REQUIRE(image.samples.size() == expected.size());
  int64_t n = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) n += image.samples[i] != static_cast<float>(expected[i]);
  return n;
}

}  // namespace

TEST_CASE("JPEG decoding is bit-identical to PIL's on every golden file", "[data]") {
  const std::vector<GoldenCase> cases = golden_cases();
  REQUIRE(cases.size() >= 9);
  for (const GoldenCase& c : cases) {
    INFO(c.file);
    const Image image = read_image(golden_dir / c.file);
    REQUIRE(image.width == c.width);
    REQUIRE(image.height == c.height);
    REQUIRE(image.channels == c.channels);
    REQUIRE(image.bit_depth == 8);
    REQUIRE(mismatches(image, bytes_of(golden_dir / c.pixels)) == 0);
    const ImageInfo info = probe_image(golden_dir / c.file);
    REQUIRE((info.width == c.width && info.height == c.height && info.channels == c.channels));
  }
}

TEST_CASE("a JPEG written by write_jpeg decodes to the pixels of PIL's JPEG at the same quality", "[data]") {
  test::TempDir dir("jpeg-writer");
  const Image source = read_image(golden_dir / "source.png");
  write_jpeg(source, dir / "ours.jpg", 95);
  REQUIRE(mismatches(read_image(dir / "ours.jpg"), bytes_of(golden_dir / "writer_q95.pixels")) == 0);
}

TEST_CASE("the JPEG decoder refuses truncated files, other starts and oversized frames", "[data]") {
  const std::vector<uint8_t> good = bytes_of(golden_dir / "rgb_420_q75.jpg");
  REQUIRE(is_jpeg(good.data(), good.size()));
  // Cut inside the entropy-coded data: PIL reports such files as truncated, and so do we.
  std::size_t sos = 0;  // the start-of-scan marker: entropy-coded data follows it
  while (sos + 1 < good.size() && !(good[sos] == 0xFF && good[sos + 1] == 0xDA)) ++sos;
  REQUIRE(sos + 100 < good.size());
  const std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(sos + 60));
  CHECK_THROWS_WITH(read_image_from_memory(cut.data(), cut.size(), "cut.jpg"),
                    Catch::Contains("cut.jpg") && Catch::Contains("Premature end"));
  // The header alone still reads (the size is known before the data ends).
  const JpegHeader header = read_jpeg_header(cut.data(), cut.size(), "cut.jpg");
  REQUIRE((header.width == 37 && header.height == 23 && header.components == 3));
  // A frame above the pixel limit is refused before decoding, naming its size.
  CHECK_THROWS_WITH(decode_jpeg(good.data(), good.size(), "small.jpg", 37 * 23 - 1),
                    Catch::Contains("too large") && Catch::Contains("37x23"));
  // Fill bytes before SOI: libjpeg (and PIL) do not take such a file as JPEG, nor does stb here.
  std::vector<uint8_t> filled = good;
  filled.insert(filled.begin(), 0xFF);
  CHECK_THROWS_AS(read_image_from_memory(filled.data(), filled.size(), "filled.jpg"), revgan::Error);
}
