// Stored zip entries with 64-byte data alignment, then the central directory and end record.
#include "engine/io/pth/zip_writer.hpp"

#include <limits>

#include "engine/core/check.hpp"
#include "engine/io/pth/crc32.hpp"

namespace revgan::io::pth {

namespace {

constexpr std::size_t k_alignment = 64;
constexpr uint16_t k_padding_extra_id = 0x4246;  // "FB", the id PyTorch uses for its padding
constexpr uint16_t k_version = 20;               // zip 2.0: stored entries, no zip64
constexpr uint16_t k_utf8_names = 1u << 11;

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v));
  put16(out, static_cast<uint16_t>(v >> 16));
}
uint32_t fit32(std::size_t v, const char* what) {
  REVGAN_CHECK(v <= std::numeric_limits<uint32_t>::max(), "zip writer: the {} exceeds 4 GiB (zip64 is not written)",
               what);
  return static_cast<uint32_t>(v);
}

}  // namespace

void ZipWriter::add(const std::string& name, std::span<const uint8_t> data) {
  REVGAN_CHECK(!name.empty() && name.size() <= 0xFFFF, "zip writer: invalid entry name '{}'", name);
  Entry e{name, crc32(data.data(), data.size()), fit32(data.size(), "entry"), fit32(out_.size(), "archive")};
  put32(out_, 0x04034b50);
  put16(out_, k_version);
  put16(out_, k_utf8_names);
  put16(out_, 0);  // stored
  put16(out_, 0);  // time
  put16(out_, 0);  // date
  put32(out_, e.crc);
  put32(out_, e.size);
  put32(out_, e.size);
  put16(out_, static_cast<uint16_t>(name.size()));
  // The padding field (4-byte header + filler) brings the data to the next 64-byte boundary.
  const std::size_t header_end = out_.size() + 2 + name.size() + 4;
  const std::size_t pad = (k_alignment - header_end % k_alignment) % k_alignment;
  put16(out_, static_cast<uint16_t>(4 + pad));
  out_.insert(out_.end(), name.begin(), name.end());
  put16(out_, k_padding_extra_id);
  put16(out_, static_cast<uint16_t>(pad));
  out_.insert(out_.end(), pad, 'Z');
  out_.insert(out_.end(), data.begin(), data.end());
  entries_.push_back(std::move(e));
}

std::vector<uint8_t> ZipWriter::finish() {
  const uint32_t directory_offset = fit32(out_.size(), "archive");
  for (const Entry& e : entries_) {
    put32(out_, 0x02014b50);
    put16(out_, k_version);  // made by
    put16(out_, k_version);  // needed
    put16(out_, k_utf8_names);
    put16(out_, 0);
    put16(out_, 0);
    put16(out_, 0);
    put32(out_, e.crc);
    put32(out_, e.size);
    put32(out_, e.size);
    put16(out_, static_cast<uint16_t>(e.name.size()));
    put16(out_, 0);  // extra
    put16(out_, 0);  // comment
    put16(out_, 0);  // disk
    put16(out_, 0);  // internal attributes
    put32(out_, 0);  // external attributes
    put32(out_, e.offset);
    out_.insert(out_.end(), e.name.begin(), e.name.end());
  }
  const uint32_t directory_size = fit32(out_.size() - directory_offset, "central directory");
  REVGAN_CHECK(entries_.size() < 0xFFFF, "zip writer: too many entries ({})", entries_.size());
  put32(out_, 0x06054b50);
  put16(out_, 0);
  put16(out_, 0);
  put16(out_, static_cast<uint16_t>(entries_.size()));
  put16(out_, static_cast<uint16_t>(entries_.size()));
  put32(out_, directory_size);
  put32(out_, directory_offset);
  put16(out_, 0);  // comment
  entries_.clear();
  return std::move(out_);
}

}  // namespace revgan::io::pth
