// The .pth writer: what it writes reads back identically (every element type, scalars, empty
// and 5-D tensors, sizes past 32 bits, more entries than one SETITEMS batch), in the layout
// torch.save uses (archive/data.pkl, archive/data/<i>, archive/version, 64-byte aligned data),
// and written atomically.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <string>

#include "engine/io/pth/pth_reader.hpp"
#include "engine/io/pth/pth_writer.hpp"
#include "engine/io/pth/zip_reader.hpp"

using namespace revgan;
using namespace revgan::io::pth;

namespace {

StoredTensor make(ElementType type, std::vector<int64_t> shape, uint8_t seed) {
  StoredTensor t{type, std::move(shape), {}};
  t.bytes.resize(static_cast<std::size_t>(t.numel()) * element_size(type));
  for (std::size_t i = 0; i < t.bytes.size(); ++i) t.bytes[i] = static_cast<uint8_t>(seed + 7 * i);
  return t;
}

void require_equal(const StateDict& a, const StateDict& b) {
  REQUIRE(a.entries.size() == b.entries.size());
  for (std::size_t i = 0; i < a.entries.size(); ++i) {
    INFO(a.entries[i].first);
    REQUIRE(a.entries[i].first == b.entries[i].first);
    REQUIRE(a.entries[i].second.type == b.entries[i].second.type);
    REQUIRE(a.entries[i].second.shape == b.entries[i].second.shape);
    REQUIRE(a.entries[i].second.bytes == b.entries[i].second.bytes);
  }
}

}  // namespace

TEST_CASE("pth writer: state dicts read back identically", "[data]") {
  StateDict s;
  s.entries.emplace_back("model.1.weight", make(ElementType::float32, {4, 3, 7, 7}, 1));
  s.entries.emplace_back("model.1.bias", make(ElementType::float32, {4}, 2));
  s.entries.emplace_back("double", make(ElementType::float64, {2, 1, 2, 3, 2}, 3));
  s.entries.emplace_back("norm.num_batches_tracked", make(ElementType::int64, {}, 4));
  s.entries.emplace_back("empty", make(ElementType::float32, {0, 3}, 5));
  // Sizes and strides past 32 bits go out as LONG1 (no element is stored: numel is 0).
  s.entries.emplace_back("wide", make(ElementType::float32, {0, int64_t{3} << 32}, 6));
  const std::vector<uint8_t> bytes = pth_bytes(s);
  const PthContents back = read_pth_bytes(bytes.data(), bytes.size(), "written.pth");
  REQUIRE(back.format == PthFormat::zip);
  require_equal(s, back.state);
}

TEST_CASE("pth writer: more entries than one SETITEMS batch", "[data]") {
  StateDict s;
  for (int i = 0; i < 2500; ++i) s.entries.emplace_back(fmt::format("p{}", i), make(ElementType::float32, {1}, 9));
  const std::vector<uint8_t> bytes = pth_bytes(s);
  require_equal(s, read_pth_bytes(bytes.data(), bytes.size(), "many.pth").state);
}

TEST_CASE("pth writer: the archive has torch.save's layout", "[data]") {
  StateDict s;
  s.entries.emplace_back("a", make(ElementType::float32, {3}, 1));
  s.entries.emplace_back("b", make(ElementType::float64, {5}, 2));
  const std::vector<uint8_t> bytes = pth_bytes(s);
  const ZipArchive zip(bytes.data(), bytes.size(), "layout.pth");
  std::vector<std::string> names;
  for (const ZipEntry& e : zip.entries()) {
    names.push_back(e.name);
    REQUIRE(e.data_offset % 64 == 0);
    REQUIRE_NOTHROW(zip.read(e));  // CRC-32 matches
  }
  REQUIRE(names == std::vector<std::string>{"archive/data.pkl", "archive/data/0", "archive/data/1", "archive/version"});
  const auto version = zip.read(*zip.find("archive/version"));
  REQUIRE(std::string(version.begin(), version.end()) == "3\n");
  REQUIRE(zip.find("archive/data/1")->size == 5 * 8);
}

TEST_CASE("pth writer: write_pth replaces the file atomically", "[data]") {
  const auto folder = std::filesystem::temp_directory_path() / fmt::format("revgan-pth-writer-{}", ::getpid());
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  const auto path = (folder / "out.pth").string();
  StateDict first, second;
  first.entries.emplace_back("x", make(ElementType::float32, {2}, 1));
  second.entries.emplace_back("y", make(ElementType::float64, {3}, 2));
  write_pth(path, first);
  write_pth(path, second);
  require_equal(second, read_pth(path).state);
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(folder)) ++files;
  REQUIRE(files == 1);  // no temporary file left behind
  std::filesystem::remove_all(folder);
}
