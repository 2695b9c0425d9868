// Central directory walk, zip64 records, local headers and CRC checks of stored zip entries.
#include "engine/io/pth/zip_reader.hpp"

#include <set>

#include "engine/io/pth/byte_cursor.hpp"
#include "engine/io/pth/crc32.hpp"

namespace revgan::io::pth {

namespace {

constexpr uint32_t k_local_signature = 0x04034b50;
constexpr uint32_t k_central_signature = 0x02014b50;
constexpr uint32_t k_end_signature = 0x06054b50;
constexpr uint32_t k_zip64_end_signature = 0x06064b50;
constexpr uint32_t k_zip64_locator_signature = 0x07064b50;
constexpr std::size_t k_end_size = 22, k_locator_size = 20, k_central_size = 46, k_local_size = 30;
constexpr uint16_t k_zip64_extra_id = 0x0001;

}  // namespace

bool ZipArchive::starts_like_zip(const uint8_t* data, std::size_t size) {
  return size >= 4 && ByteCursor::little_endian(data, 4) == k_local_signature;
}

ZipArchive::ZipArchive(const uint8_t* data, std::size_t size, std::string file)
    : data_(data), size_(size), file_(std::move(file)) {
  read_directory(find_directory());
}

ZipArchive::Directory ZipArchive::find_directory() const {
  REVGAN_CHECK(size_ >= k_end_size, "'{}': not a zip archive ({} bytes, too short for an end record)", file_, size_);
  // The end record sits before a comment of at most 65535 bytes; its length field must reach
  // exactly the end of the file.
  std::size_t end = std::string::npos;
  const std::size_t lowest = size_ > k_end_size + 0xFFFF ? size_ - k_end_size - 0xFFFF : 0;
  for (std::size_t pos = size_ - k_end_size + 1; pos-- > lowest;) {
    if (ByteCursor::little_endian(data_ + pos, 4) != k_end_signature) continue;
    if (pos + k_end_size + ByteCursor::little_endian(data_ + pos + 20, 2) == size_) {
      end = pos;
      break;
    }
  }
  REVGAN_CHECK(end != std::string::npos, "'{}': no zip end-of-central-directory record (truncated or not a zip?)",
               file_);
  ByteCursor c(data_, size_, fmt::format("'{}': zip end record", file_));
  c.seek(end + 4, "the end record");
  const uint16_t disk = c.u16("disk number"), directory_disk = c.u16("directory disk");
  const uint16_t entries_here = c.u16("entry count"), entries_total = c.u16("entry count");
  Directory dir{entries_total, 0, 0};
  dir.size = c.u32("directory size");
  dir.offset = c.u32("directory offset");
  REVGAN_CHECK(disk == 0 && directory_disk == 0 && entries_here == entries_total,
               "'{}': multi-disk zip archives are not supported", file_);
  std::size_t directory_end = end;

  // PyTorch always writes the zip64 records; they hold the true values of large archives.
  if (end >= k_locator_size &&
      ByteCursor::little_endian(data_ + end - k_locator_size, 4) == k_zip64_locator_signature) {
    ByteCursor l(data_, size_, fmt::format("'{}': zip64 locator", file_));
    l.seek(end - k_locator_size + 4, "the zip64 locator");
    REVGAN_CHECK(l.u32("disk") == 0, "'{}': multi-disk zip archives are not supported", file_);
    const uint64_t record = l.u64("zip64 end record offset");
    REVGAN_CHECK(record <= end - k_locator_size && end - k_locator_size - record >= 56,
                 "'{}': the zip64 end record offset {} is outside the file", file_, record);
    ByteCursor z(data_, size_, fmt::format("'{}': zip64 end record", file_));
    z.seek(static_cast<std::size_t>(record), "the zip64 end record");
    REVGAN_CHECK(z.u32("signature") == k_zip64_end_signature, "'{}': corrupt zip64 end record (bad signature)", file_);
    z.u64("record size");
    z.u16("version made by");
    z.u16("version needed");
    REVGAN_CHECK(z.u32("disk") == 0 && z.u32("directory disk") == 0, "'{}': multi-disk zip archives are not supported",
                 file_);
    const uint64_t here = z.u64("entry count");
    dir.entries = z.u64("entry count");
    REVGAN_CHECK(here == dir.entries, "'{}': multi-disk zip archives are not supported", file_);
    dir.size = z.u64("directory size");
    dir.offset = z.u64("directory offset");
    directory_end = static_cast<std::size_t>(record);
  } else {
    REVGAN_CHECK(entries_total != 0xFFFF && dir.size != 0xFFFFFFFFu && dir.offset != 0xFFFFFFFFu,
                 "'{}': the zip end record defers to a zip64 record that is missing", file_);
  }
  REVGAN_CHECK(dir.offset <= directory_end && dir.size <= directory_end - dir.offset,
               "'{}': the zip central directory (offset {}, {} bytes) lies outside the file", file_, dir.offset,
               dir.size);
  REVGAN_CHECK(dir.entries <= dir.size / k_central_size,
               "'{}': the zip central directory declares {} entries in {} bytes", file_, dir.entries, dir.size);
  return dir;
}

void ZipArchive::read_directory(const Directory& dir) {
  ByteCursor c(data_ + dir.offset, static_cast<std::size_t>(dir.size),
               fmt::format("'{}': zip central directory", file_));
  std::set<std::string, std::less<>> names;
  entries_.reserve(static_cast<std::size_t>(dir.entries));
  for (uint64_t i = 0; i < dir.entries; ++i) {
    REVGAN_CHECK(c.u32("signature") == k_central_signature, "'{}': corrupt zip central directory (entry {})", file_, i);
    c.u16("version made by");
    c.u16("version needed");
    const uint16_t flags = c.u16("flags"), method = c.u16("method");
    c.u16("time");
    c.u16("date");
    ZipEntry e;
    e.crc = c.u32("crc");
    uint64_t compressed = c.u32("compressed size");
    e.size = c.u32("size");
    const uint16_t name_length = c.u16("name length"), extra_length = c.u16("extra length");
    const uint16_t comment_length = c.u16("comment length");
    const uint16_t disk = c.u16("disk");
    c.u16("internal attributes");
    c.u32("external attributes");
    uint64_t local = c.u32("local header offset");
    e.name = std::string(c.take_string(name_length, "entry name"));
    ByteCursor extra(c.take(extra_length, "extra field"), extra_length,
                     fmt::format("'{}': zip entry '{}'", file_, e.name));
    c.take(comment_length, "entry comment");
    while (extra.remaining() >= 4) {
      const uint16_t id = extra.u16("extra id"), length = extra.u16("extra length");
      ByteCursor field(extra.take(length, "extra field"), length, extra.what());
      if (id != k_zip64_extra_id) continue;
      if (e.size == 0xFFFFFFFFu) e.size = field.u64("zip64 size");
      if (compressed == 0xFFFFFFFFu) compressed = field.u64("zip64 compressed size");
      if (local == 0xFFFFFFFFu) local = field.u64("zip64 local header offset");
    }
    REVGAN_CHECK((flags & 1u) == 0, "'{}': zip entry '{}' is encrypted", file_, e.name);
    REVGAN_CHECK(method == 0 && compressed == e.size,
                 "'{}': zip entry '{}' is compressed (method {}); only stored entries, as torch.save writes them, "
                 "are supported",
                 file_, e.name, method);
    REVGAN_CHECK(disk == 0, "'{}': multi-disk zip archives are not supported", file_);
    REVGAN_CHECK(names.insert(e.name).second, "'{}': zip entry '{}' appears twice", file_, e.name);

    ByteCursor h(data_, size_, fmt::format("'{}': zip entry '{}'", file_, e.name));
    REVGAN_CHECK(local <= size_, "'{}': zip entry '{}': local header offset {} is past the end ({} bytes)", file_,
                 e.name, local, size_);
    h.seek(static_cast<std::size_t>(local), "the local header");
    h.require(k_local_size, "the local header");
    REVGAN_CHECK(h.u32("signature") == k_local_signature, "'{}': zip entry '{}': bad local header signature", file_,
                 e.name);
    h.u16("version");
    h.u16("flags");
    REVGAN_CHECK(h.u16("method") == 0, "'{}': zip entry '{}': the local header says compressed", file_, e.name);
    h.take(16, "local header fields");
    const uint16_t local_name = h.u16("name length"), local_extra = h.u16("extra length");
    REVGAN_CHECK(h.take_string(local_name, "entry name") == e.name,
                 "'{}': zip entry '{}': the local header names another file", file_, e.name);
    h.take(local_extra, "local extra field");
    e.data_offset = h.position();
    h.require(e.size, "the entry's data");
    entries_.push_back(std::move(e));
  }
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
  for (const ZipEntry& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

std::span<const uint8_t> ZipArchive::read(const ZipEntry& entry) const {
  const uint8_t* p = data_ + entry.data_offset;
  const uint32_t crc = crc32(p, static_cast<std::size_t>(entry.size));
  REVGAN_CHECK(crc == entry.crc, "'{}': zip entry '{}' is corrupt (CRC-32 {:08x}, expected {:08x})", file_, entry.name,
               crc, entry.crc);
  return {p, static_cast<std::size_t>(entry.size)};
}

}  // namespace revgan::io::pth
