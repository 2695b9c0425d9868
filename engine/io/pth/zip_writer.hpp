// Builds a zip archive of stored (uncompressed) entries in memory, laid out as torch.save lays
// out its archives: each entry's data aligned to 64 bytes through a padding extra field, CRC-32
// and sizes in the local headers, a central directory and an end record. No zip64: archives
// past 4 GiB are refused.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace revgan::io::pth {

class ZipWriter {
 public:
  void add(const std::string& name, std::span<const uint8_t> data);
  // The whole archive; the writer is spent afterwards.
  std::vector<uint8_t> finish();

 private:
  struct Entry {
    std::string name;
    uint32_t crc = 0;
    uint32_t size = 0;
    uint32_t offset = 0;
  };
  std::vector<uint8_t> out_;
  std::vector<Entry> entries_;
};

}  // namespace revgan::io::pth
