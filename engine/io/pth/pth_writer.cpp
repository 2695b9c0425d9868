// The state-dict pickle (protocol 2, as torch.save writes it) and the zip archive around it.
#include "engine/io/pth/pth_writer.hpp"

#include <fmt/format.h>

#include "engine/core/check.hpp"
#include "engine/io/atomic_file.hpp"
#include "engine/io/pth/zip_writer.hpp"

namespace revgan::io::pth {

namespace {

constexpr const char* k_archive = "archive/";
constexpr std::size_t k_batch = 1000;  // items per SETITEMS, as Python's pickler batches them

class PickleWriter {
 public:
  std::vector<uint8_t> state_dict(const StateDict& state) {
    op(0x80);
    op(2);
    global("collections", "OrderedDict");
    op(')');
    op('R');
    for (std::size_t i = 0; i < state.entries.size(); ++i) {
      if (i % k_batch == 0) {
        if (i > 0) op('u');
        op('(');
      }
      const auto& [name, t] = state.entries[i];
      string(name);
      tensor(t, i);
    }
    if (!state.entries.empty()) op('u');
    op('.');
    return std::move(out_);
  }

 private:
  void op(uint8_t b) { out_.push_back(b); }
  void raw(const std::string& s) { out_.insert(out_.end(), s.begin(), s.end()); }
  void global(const char* module, const char* name) {
    op('c');
    raw(fmt::format("{}\n{}\n", module, name));
  }
  void string(const std::string& s) {
    op('X');
    const auto n = static_cast<uint32_t>(s.size());
    for (int k = 0; k < 4; ++k) op(static_cast<uint8_t>(n >> (8 * k)));
    raw(s);
  }
  // The shortest of BININT1 / BININT2 / BININT / LONG1 that holds v.
  void integer(int64_t v) {
    if (v >= 0 && v < 256) {
      op('K');
      op(static_cast<uint8_t>(v));
    } else if (v >= 0 && v < 65536) {
      op('M');
      op(static_cast<uint8_t>(v));
      op(static_cast<uint8_t>(v >> 8));
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      op('J');
      for (int k = 0; k < 4; ++k) op(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * k)));
    } else {
      std::vector<uint8_t> bytes;
      auto u = static_cast<uint64_t>(v);
      for (int k = 0; k < 8; ++k) bytes.push_back(static_cast<uint8_t>(u >> (8 * k)));
      // Drop redundant sign bytes, keeping the sign bit of the last one.
      while (bytes.size() > 1 && ((bytes.back() == 0 && !(bytes[bytes.size() - 2] & 0x80)) ||
                                  (bytes.back() == 0xFF && (bytes[bytes.size() - 2] & 0x80))))
        bytes.pop_back();
      op(0x8a);
      op(static_cast<uint8_t>(bytes.size()));
      out_.insert(out_.end(), bytes.begin(), bytes.end());
    }
  }
  void int_tuple(const std::vector<int64_t>& v) {
    op('(');
    for (int64_t x : v) integer(x);
    op('t');
  }
  static const char* storage_class(ElementType t) {
    switch (t) {
      case ElementType::float32:
        return "FloatStorage";
      case ElementType::float64:
        return "DoubleStorage";
      case ElementType::int64:
        return "LongStorage";
    }
    return "";
  }
  // _rebuild_tensor_v2(('storage', torch.XStorage, '<i>', 'cpu', numel), 0, size, stride,
  // False, OrderedDict()) over a contiguous storage of its own.
  void tensor(const StoredTensor& t, std::size_t index) {
    global("torch._utils", "_rebuild_tensor_v2");
    op('(');
    op('(');
    string("storage");
    global("torch", storage_class(t.type));
    string(fmt::format("{}", index));
    string("cpu");
    integer(t.numel());
    op('t');
    op('Q');
    integer(0);
    int_tuple(t.shape);
    std::vector<int64_t> stride(t.shape.size());
    int64_t s = 1;
    for (std::size_t i = t.shape.size(); i-- > 0;) {
      stride[i] = s;
      s *= t.shape[i];
    }
    int_tuple(stride);
    op(0x89);
    global("collections", "OrderedDict");
    op(')');
    op('R');
    op('t');
    op('R');
  }

  std::vector<uint8_t> out_;
};

}  // namespace

std::vector<uint8_t> pth_bytes(const StateDict& state) {
  for (const auto& [name, t] : state.entries)
    REVGAN_CHECK(t.bytes.size() == static_cast<std::size_t>(t.numel()) * element_size(t.type),
                 "write_pth: tensor '{}' holds {} bytes for shape {}", name, t.bytes.size(), t.shape_str());
  ZipWriter zip;
  zip.add(fmt::format("{}data.pkl", k_archive), PickleWriter().state_dict(state));
  for (std::size_t i = 0; i < state.entries.size(); ++i)
    zip.add(fmt::format("{}data/{}", k_archive, i), state.entries[i].second.bytes);
  const std::string version = "3\n";
  zip.add(fmt::format("{}version", k_archive), {reinterpret_cast<const uint8_t*>(version.data()), version.size()});
  return zip.finish();
}

void write_pth(const std::string& path, const StateDict& state) {
  const std::vector<uint8_t> bytes = pth_bytes(state);
  AtomicFile file(path, fmt::format("write_pth: '{}'", path));
  file.write(bytes.data(), bytes.size());
  file.commit();
}

}  // namespace revgan::io::pth
