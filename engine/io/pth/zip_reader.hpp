// A minimal reader for the zip archives torch.save writes (PyTorch >= 1.6): stored (uncompressed)
// entries only, found through the central directory (zip64 records included), each entry's
// bounds checked against the file and its CRC-32 verified when read. Compressed, encrypted or
// multi-disk archives are refused with a message naming the file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace revgan::io::pth {

struct ZipEntry {
  std::string name;
  uint64_t data_offset = 0;  // of the entry's bytes in the file
  uint64_t size = 0;
  uint32_t crc = 0;
};

class ZipArchive {
 public:
  // `data` is the whole file and must outlive the archive; `file` names it in errors.
  ZipArchive(const uint8_t* data, std::size_t size, std::string file);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* find(std::string_view name) const;
  // The entry's bytes (a view into the file) after its CRC-32 was checked.
  std::span<const uint8_t> read(const ZipEntry& entry) const;

  // A local file header signature at the start.
  static bool starts_like_zip(const uint8_t* data, std::size_t size);

 private:
  struct Directory {
    uint64_t entries = 0, offset = 0, size = 0;
  };
  Directory find_directory() const;
  void read_directory(const Directory& dir);

  const uint8_t* data_;
  std::size_t size_;
  std::string file_;
  std::vector<ZipEntry> entries_;
};

}  // namespace revgan::io::pth
