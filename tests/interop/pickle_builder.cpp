// Pickle opcodes written by hand, as torch.save's pickler writes them (protocol 2).
#include "tests/interop/pickle_builder.hpp"

#include <cstring>
#include <span>

#include "engine/io/pth/zip_writer.hpp"

namespace revgan::test::pickle {

namespace {

std::string le32(uint32_t v) {
  std::string s(4, '\0');
  for (int k = 0; k < 4; ++k) s[static_cast<std::size_t>(k)] = static_cast<char>(v >> (8 * k));
  return s;
}

}  // namespace

std::string global(const std::string& module, const std::string& name) {
  return "c" + module + "\n" + name + "\n";
}

std::string unicode(const std::string& s) {
  return "X" + le32(static_cast<uint32_t>(s.size())) + s;
}

std::string integer(int32_t v) {
  return "J" + le32(static_cast<uint32_t>(v));
}

std::string int_tuple(const std::vector<int64_t>& v) {
  std::string s = "(";
  for (int64_t x : v) s += integer(static_cast<int32_t>(x));
  return s + "t";
}

std::string storage(const std::string& key, int64_t numel, const std::string& storage_class) {
  return "(" + unicode("storage") + global("torch", storage_class) + unicode(key) + unicode("cpu") +
         integer(static_cast<int32_t>(numel)) + "tQ";
}

std::string tensor(const std::string& key, int64_t numel, int64_t offset, const std::vector<int64_t>& size,
                   const std::vector<int64_t>& stride, const std::string& storage_class) {
  return global("torch._utils", "_rebuild_tensor_v2") + "(" + storage(key, numel, storage_class) +
         integer(static_cast<int32_t>(offset)) + int_tuple(size) + int_tuple(stride) + "\x89" +
         global("collections", "OrderedDict") + ")RtR";
}

std::string state_dict(const std::string& items) {
  return std::string("\x80\x02") + global("collections", "OrderedDict") + ")R(" + items + "u.";
}

std::vector<uint8_t> zip_pth(const std::string& pickle, const std::map<std::string, std::vector<uint8_t>>& storages) {
  io::pth::ZipWriter zip;
  zip.add("archive/data.pkl", {reinterpret_cast<const uint8_t*>(pickle.data()), pickle.size()});
  for (const auto& [key, bytes] : storages) zip.add("archive/data/" + key, bytes);
  return zip.finish();
}

std::vector<uint8_t> floats(int64_t n) {
  std::vector<uint8_t> out(static_cast<std::size_t>(n) * 4);
  for (int64_t i = 0; i < n; ++i) {
    const float f = static_cast<float>(i);
    std::memcpy(out.data() + i * 4, &f, 4);
  }
  return out;
}

}  // namespace revgan::test::pickle
