// Format detection and the two .pth layouts (zip archive, legacy pickle stream).
#include "engine/io/pth/pth_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <vector>

#include "engine/io/pth/byte_cursor.hpp"
#include "engine/io/pth/storage_table.hpp"
#include "engine/io/pth/zip_reader.hpp"

namespace revgan::io::pth {

static_assert(std::endian::native == std::endian::little, "the .pth reader copies little-endian storages as they are");

namespace {

// What a file can make us materialise: storages shared by several tensors are copied per
// tensor, so this bounds the copies by the file's own size.
uint64_t materialise_budget(std::size_t file_size) {
  return 4 * static_cast<uint64_t>(file_size) + (1u << 16);
}

// 0x1950a86a20f9469cfc6c, the legacy format's magic number, as LONG1 bytes (little-endian).
constexpr uint8_t k_legacy_magic[10] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
constexpr int64_t k_legacy_protocol = 1001;

ValuePtr no_persistent_ids(const Value&) {
  REVGAN_FAIL("unexpected persistent id outside the state-dict pickle");
}

PthContents read_zip(const uint8_t* data, std::size_t size, const std::string& name) {
  ZipArchive zip(data, size, name);
  REVGAN_CHECK(!zip.entries().empty(), "'{}': empty zip archive", name);
  const std::string& first = zip.entries().front().name;
  const std::size_t slash = first.find('/');
  REVGAN_CHECK(slash != std::string::npos && slash > 0,
               "'{}': zip entry '{}' is not inside a folder (not a torch.save archive)", name, first);
  const std::string prefix = first.substr(0, slash + 1);
  for (const ZipEntry& e : zip.entries())
    REVGAN_CHECK(e.name.rfind(prefix, 0) == 0, "'{}': zip entry '{}' is outside the archive folder '{}'", name, e.name,
                 prefix);
  if (const ZipEntry* order = zip.find(prefix + "byteorder")) {
    const auto bytes = zip.read(*order);
    REVGAN_CHECK(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()) == "little",
                 "'{}': the archive was written on a big-endian machine, which is not supported", name);
  }
  const ZipEntry* pickle = zip.find(prefix + "data.pkl");
  REVGAN_CHECK(pickle != nullptr,
               "'{}': no '{}data.pkl' in the zip archive (not a torch.save file, or a TorchScript "
               "archive?)",
               name, prefix);
  const auto pickle_bytes = zip.read(*pickle);
  StorageTable storages(fmt::format("'{}': {}", name, pickle->name), 5);
  ByteCursor cursor(pickle_bytes.data(), pickle_bytes.size(), fmt::format("'{}': {}", name, pickle->name));
  const ValuePtr top = unpickle(cursor, storages.loader());
  REVGAN_CHECK(cursor.at_end(), "'{}': {} bytes after the end of data.pkl", name, cursor.remaining());
  for (const auto& [key, declared] : storages.declared()) {
    const ZipEntry* entry = zip.find(prefix + "data/" + key);
    REVGAN_CHECK(entry != nullptr, "'{}': storage '{}' has no '{}data/{}' in the archive", name, key, prefix, key);
    storages.supply(key, zip.read(*entry));
  }
  return {storages.to_state_dict(*top, materialise_budget(size)), PthFormat::zip};
}

void check_sys_info(const Value& info, const std::string& name) {
  REVGAN_CHECK(info.kind == Value::Kind::dict, "'{}': the system information is {}, expected a dict", name,
               describe(info));
  const ValuePtr* little = info.find("little_endian");
  REVGAN_CHECK(little != nullptr && (*little)->kind == Value::Kind::boolean && (*little)->boolean,
               "'{}': the file was written on a big-endian machine (or says nothing about it), which is not supported",
               name);
}

PthContents read_legacy(const uint8_t* data, std::size_t size, const std::string& name) {
  ByteCursor c(data, size, fmt::format("'{}'", name));
  const ValuePtr magic = unpickle(c, no_persistent_ids);
  REVGAN_CHECK(magic->kind == Value::Kind::big_integer && magic->text.size() == sizeof(k_legacy_magic) &&
                   std::equal(magic->text.begin(), magic->text.end(), reinterpret_cast<const char*>(k_legacy_magic)),
               "'{}': not a PyTorch file (the legacy format starts with its magic number)", name);
  const ValuePtr protocol = unpickle(c, no_persistent_ids);
  REVGAN_CHECK(protocol->kind == Value::Kind::integer && protocol->integer == k_legacy_protocol,
               "'{}': legacy protocol version {}, expected {}", name, describe(*protocol), k_legacy_protocol);
  check_sys_info(*unpickle(c, no_persistent_ids), name);

  StorageTable storages(fmt::format("'{}': state-dict pickle", name), 6);
  const ValuePtr top = unpickle(c, storages.loader());
  const ValuePtr keys = unpickle(c, no_persistent_ids);
  REVGAN_CHECK(keys->kind == Value::Kind::list, "'{}': the storage key list is {}, expected a list", name,
               describe(*keys));
  REVGAN_CHECK(keys->items.size() == storages.declared().size(),
               "'{}': the storage key list names {} storages, the pickle uses {}", name, keys->items.size(),
               storages.declared().size());
  for (const ValuePtr& key : keys->items) {
    REVGAN_CHECK(key->is_string(), "'{}': a storage key is {}, expected a string", name, describe(*key));
    const auto it = storages.declared().find(key->text);
    REVGAN_CHECK(it != storages.declared().end(), "'{}': storage '{}' in the key list is not used by the pickle", name,
                 key->text);
    const int64_t count = c.i64("storage element count");
    REVGAN_CHECK(count == it->second.numel, "'{}': storage '{}' holds {} elements, the pickle declares {}", name,
                 key->text, count, it->second.numel);
    const uint64_t bytes = static_cast<uint64_t>(count) * element_size(it->second.type);
    REVGAN_CHECK(count >= 0 && static_cast<uint64_t>(count) <= c.remaining() / element_size(it->second.type),
                 "'{}': truncated: storage '{}' needs {} bytes, {} remain", name, key->text, bytes, c.remaining());
    storages.supply(key->text, {c.take(bytes, "storage data"), static_cast<std::size_t>(bytes)});
  }
  REVGAN_CHECK(c.at_end(), "'{}': {} unexpected bytes after the last storage", name, c.remaining());
  return {storages.to_state_dict(*top, materialise_budget(size)), PthFormat::legacy};
}

bool is_tar(const uint8_t* data, std::size_t size) {
  return size >= 262 && std::string_view(reinterpret_cast<const char*>(data + 257), 5) == "ustar";
}

}  // namespace

const char* format_name(PthFormat f) {
  return f == PthFormat::zip ? "zip" : "legacy";
}

PthContents read_pth_bytes(const uint8_t* data, std::size_t size, const std::string& name) {
  if (ZipArchive::starts_like_zip(data, size)) return read_zip(data, size, name);
  REVGAN_CHECK(!is_tar(data, size), "'{}': the tar-based format of PyTorch before 0.1.10 is not supported", name);
  REVGAN_CHECK(size >= 2 && data[0] == 0x80,
               "'{}': not a PyTorch state dict (neither a zip archive nor a legacy pickle stream)", name);
  return read_legacy(data, size, name);
}

PthContents read_pth(const std::string& path) {
  std::error_code ec;
  REVGAN_CHECK(std::filesystem::is_regular_file(path, ec), "'{}' does not exist or is not a file", path);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  REVGAN_CHECK(f != nullptr, "cannot open '{}'", path);
  std::vector<uint8_t> bytes;
  const auto size = std::filesystem::file_size(path, ec);
  REVGAN_CHECK(!ec, "cannot read the size of '{}'", path);
  bytes.resize(static_cast<std::size_t>(size));
  REVGAN_CHECK(std::fread(bytes.data(), 1, bytes.size(), f.get()) == bytes.size(), "cannot read '{}'", path);
  return read_pth_bytes(bytes.data(), bytes.size(), path);
}

}  // namespace revgan::io::pth
