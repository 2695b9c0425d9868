// The .pth reader on files torch.save wrote (tests/interop/data, both formats, pickle protocols 2
// and 4): tensors of known values, strided views, every element type; and on damaged copies of
// them (truncations, storage counts, CRCs, byte order), which must fail with a clean message.
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <string>

#include "engine/core/check.hpp"
#include "engine/io/pth/pth_reader.hpp"
#include "engine/io/pth/storage_table.hpp"
#include "engine/io/pth/zip_reader.hpp"
#include "engine/io/pth/zip_writer.hpp"
#include "tests/interop/interop_test_util.hpp"

using namespace revgan;
using namespace revgan::io::pth;
using revgan::test::file_bytes;
using revgan::test::interop_data;

namespace {

PthContents read_bytes(const std::vector<uint8_t>& bytes, std::size_t size) {
  return read_pth_bytes(bytes.data(), size, "test.pth");
}

std::string error_of(const std::vector<uint8_t>& bytes) {
  try {
    read_bytes(bytes, bytes.size());
  } catch (const Error& e) {
    return e.message();
  }
  return "no error";
}

int64_t int64_at(const StoredTensor& t, int64_t i) {
  int64_t v;
  std::memcpy(&v, t.bytes.data() + i * 8, 8);
  return v;
}

// Values as tests/interop/generate_pth_fixtures.py defines them: element i of 'arange' is i / 4.
void check_known_tensors(const StateDict& s) {
  const std::vector<std::string> keys = {"arange", "transposed", "view_at_offset", "double", "long", "scalar", "empty"};
  REQUIRE(s.entries.size() == keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) REQUIRE(s.entries[i].first == keys[i]);

  const StoredTensor& arange = *s.find("arange");
  REQUIRE(arange.type == ElementType::float32);
  REQUIRE(arange.shape == std::vector<int64_t>{2, 3, 4});
  for (int64_t i = 0; i < 24; ++i) REQUIRE(arange.value(i) == i / 4.0);

  const StoredTensor& transposed = *s.find("transposed");  // base.reshape(4, 6).t()
  REQUIRE(transposed.shape == std::vector<int64_t>{6, 4});
  for (int64_t r = 0; r < 6; ++r)
    for (int64_t c = 0; c < 4; ++c) REQUIRE(transposed.value(r * 4 + c) == (c * 6 + r) / 4.0);

  const StoredTensor& view = *s.find("view_at_offset");  // base[6:18].reshape(3, 4)
  REQUIRE(view.shape == std::vector<int64_t>{3, 4});
  for (int64_t i = 0; i < 12; ++i) REQUIRE(view.value(i) == (6 + i) / 4.0);

  const StoredTensor& dbl = *s.find("double");
  REQUIRE(dbl.type == ElementType::float64);
  for (int64_t i = 0; i < 5; ++i) REQUIRE(dbl.value(i) == -1.5 * static_cast<double>(i));

  const StoredTensor& lng = *s.find("long");
  REQUIRE(lng.type == ElementType::int64);
  REQUIRE(int64_at(lng, 0) == 3);
  REQUIRE(int64_at(lng, 1) == -7);
  REQUIRE(int64_at(lng, 2) == (int64_t{1} << 40));

  const StoredTensor& scalar = *s.find("scalar");
  REQUIRE(scalar.shape.empty());
  REQUIRE(scalar.value(0) == 2.5);

  const StoredTensor& empty = *s.find("empty");
  REQUIRE(empty.shape == std::vector<int64_t>{0, 3});
  REQUIRE(empty.bytes.empty());
}

}  // namespace

TEST_CASE("pth reader: both torch.save formats and pickle protocols give the known tensors", "[data]") {
  for (const auto& [file, format] : {std::pair{"tensors_zip.pth", PthFormat::zip},
                                     {"tensors_legacy.pth", PthFormat::legacy},
                                     {"tensors_p4_zip.pth", PthFormat::zip},
                                     {"tensors_p4_legacy.pth", PthFormat::legacy}}) {
    INFO(file);
    const PthContents c = read_pth(interop_data(file).string());
    REQUIRE(c.format == format);
    check_known_tensors(c.state);
  }
}

TEST_CASE("pth reader: every truncation of a file is refused", "[data]") {
  for (const char* file : {"tensors_zip.pth", "tensors_legacy.pth", "tensors_p4_legacy.pth"}) {
    const std::vector<uint8_t> bytes = file_bytes(interop_data(file));
    REQUIRE_NOTHROW(read_bytes(bytes, bytes.size()));
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      INFO(file << " cut to " << n << " bytes");
      REQUIRE_THROWS_AS(read_bytes(bytes, n), Error);
    }
  }
}

TEST_CASE("pth reader: damaged zip archives are refused with the reason", "[data]") {
  const std::vector<uint8_t> good = file_bytes(interop_data("tensors_zip.pth"));
  ZipArchive zip(good.data(), good.size(), "tensors_zip.pth");
  const ZipEntry* storage = nullptr;
  for (const ZipEntry& e : zip.entries())
    if (e.name.find("/data/") != std::string::npos && e.size >= 8) storage = &e;
  REQUIRE(storage != nullptr);

  SECTION("a flipped data byte fails the CRC") {
    std::vector<uint8_t> bad = good;
    bad[storage->data_offset] ^= 0x40;
    REQUIRE_THAT(error_of(bad), Catch::Contains("CRC-32"));
  }
  SECTION("a compressed entry is refused") {
    std::vector<uint8_t> bad = good;
    // The method field of the central directory entry (offset 10 from its signature).
    const std::string central_signature = "PK\x01\x02";
    auto it = std::search(bad.begin(), bad.end(), central_signature.begin(), central_signature.end());
    REQUIRE(it != bad.end());
    *(it + 10) = 8;  // deflate
    REQUIRE_THAT(error_of(bad), Catch::Contains("compressed"));
  }
  SECTION("a storage entry shorter than the pickle declares is refused") {
    // Rebuild the archive from its own entries with one storage cut short.
    io::pth::ZipWriter w;
    for (const ZipEntry& e : zip.entries()) {
      auto data = zip.read(e);
      w.add(e.name, data.subspan(0, &e == storage ? data.size() - 4 : data.size()));
    }
    REQUIRE_THAT(error_of(w.finish()), Catch::Contains("but the pickle declares"));
  }
  SECTION("a missing storage entry is refused") {
    io::pth::ZipWriter w;
    for (const ZipEntry& e : zip.entries())
      if (&e != storage) w.add(e.name, zip.read(e));
    REQUIRE_THAT(error_of(w.finish()), Catch::Contains("has no"));
  }
}

TEST_CASE("pth reader: damaged legacy files are refused with the reason", "[data]") {
  const std::vector<uint8_t> good = file_bytes(interop_data("tensors_legacy.pth"));
  // Walk the five pickles to where the storages begin.
  ByteCursor c(good.data(), good.size(), "walk");
  StorageTable storages("walk", 6);
  const auto none = [](const Value&) -> ValuePtr { REVGAN_FAIL("no persistent ids here"); };
  for (int i = 0; i < 3; ++i) unpickle(c, none);
  unpickle(c, storages.loader());
  unpickle(c, none);
  const std::size_t first_count = c.position();

  SECTION("an element count that disagrees with the pickle") {
    std::vector<uint8_t> bad = good;
    bad[first_count] += 1;
    REQUIRE_THAT(error_of(bad), Catch::Contains("the pickle declares"));
  }
  SECTION("trailing bytes after the last storage") {
    std::vector<uint8_t> bad = good;
    bad.push_back(0);
    REQUIRE_THAT(error_of(bad), Catch::Contains("unexpected bytes after the last storage"));
  }
  SECTION("a big-endian writer") {
    std::vector<uint8_t> bad = good;
    const std::string little = "little_endian";
    auto it = std::search(bad.begin(), bad.end(), little.begin(), little.end());
    REQUIRE(it != bad.end());
    auto flag = std::find(it, bad.end(), uint8_t{0x88});  // NEWTRUE after the key (and its BINPUT)
    REQUIRE(flag != bad.end());
    *flag = 0x89;  // NEWFALSE
    REQUIRE_THAT(error_of(bad), Catch::Contains("big-endian"));
  }
  SECTION("a wrong magic number") {
    std::vector<uint8_t> bad = good;
    bad[5] ^= 1;  // inside the LONG1 bytes of the magic number
    REQUIRE_THAT(error_of(bad), Catch::Contains("magic number"));
  }
}

TEST_CASE("pth reader: files that are no state dict are refused", "[data]") {
  REQUIRE_THAT(error_of({}), Catch::Contains("not a PyTorch state dict"));
  REQUIRE_THAT(error_of({'h', 'e', 'l', 'l', 'o'}), Catch::Contains("not a PyTorch state dict"));
  std::vector<uint8_t> tar(600, 0);
  std::memcpy(tar.data() + 257, "ustar", 5);
  REQUIRE_THAT(error_of(tar), Catch::Contains("tar-based format"));
  REQUIRE_THROWS_WITH(read_pth((std::filesystem::temp_directory_path() / "no-such-file.pth").string()),
                      Catch::Contains("does not exist"));
}

TEST_CASE("pth inputs found by fuzzing fail cleanly", "[data]") {
  const auto folder = std::filesystem::path(REVGAN_TEST_DATA_DIR) / "data" / "fuzz_regressions" / "pth";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    INFO(entry.path().string());
    const std::vector<uint8_t> bytes = file_bytes(entry.path());
    REQUIRE_THROWS_AS(read_bytes(bytes, bytes.size()), Error);
    ++files;
  }
  REQUIRE(files > 0);
}
