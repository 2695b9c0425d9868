// Inputs that crashed the fuzzers (tools/fuzz/) before the readers guarded against them:
// each must now fail with a clean revgan::Error, not a crash or another exception type.
#include <catch2/catch.hpp>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "data/image.hpp"
#include "data/volume/nifti_io.hpp"

using namespace revgan;
using namespace revgan::data;

namespace {

const std::filesystem::path regressions = std::filesystem::path(REVGAN_TEST_DATA_DIR) / "data" / "fuzz_regressions";

std::vector<std::filesystem::path> files_in(const std::filesystem::path& folder) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<uint8_t> bytes_of(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("image inputs found by fuzzing fail cleanly", "[data]") {
  const auto files = files_in(regressions / "image");
  REQUIRE_FALSE(files.empty());
  for (const auto& path : files) {
    INFO(path.string());
    REQUIRE_THROWS_AS(read_image(path), revgan::Error);
    REQUIRE_THROWS_AS(probe_image(path), revgan::Error);
    const auto bytes = bytes_of(path);
    REQUIRE_THROWS_AS(read_image_from_memory(bytes.data(), bytes.size(), path.string()), revgan::Error);
  }
}

TEST_CASE("NIfTI inputs found by fuzzing fail cleanly", "[data]") {
  const auto files = files_in(regressions / "nifti");
  REQUIRE_FALSE(files.empty());
  for (const auto& path : files) {
    INFO(path.string());
    REQUIRE_THROWS_AS(read_nifti(path), revgan::Error);
  }
}
