// Persistent-id validation, storage bookkeeping and the strided gather into contiguous tensors.
#include "engine/io/pth/storage_table.hpp"

#include <fmt/format.h>

#include <cstring>
#include <set>

namespace revgan::io::pth {

namespace {

ElementType storage_type(const Value& v, const std::string& what) {
  if (v.kind == Value::Kind::global) {
    if (v.text == "torch FloatStorage") return ElementType::float32;
    if (v.text == "torch DoubleStorage") return ElementType::float64;
    if (v.text == "torch LongStorage") return ElementType::int64;
  }
  REVGAN_FAIL("{}: a storage of type {} is not supported (float32, float64 and int64 are)", what, describe(v));
}

}  // namespace

PersistentLoad StorageTable::loader() {
  return [this](const Value& pid) { return resolve(pid); };
}

ValuePtr StorageTable::resolve(const Value& pid) {
  REVGAN_CHECK(pid.kind == Value::Kind::tuple && pid.items.size() == pid_length_,
               "{}: a persistent id must be a tuple of {} ('storage', type, key, location, size{}), found {}", what_,
               pid_length_, pid_length_ == 6 ? ", view" : "", describe(pid));
  const auto& it = pid.items;
  REVGAN_CHECK(it[0]->is_string() && it[0]->text == "storage",
               "{}: persistent id of kind {} (only 'storage' is supported)", what_, describe(*it[0]));
  const ElementType type = storage_type(*it[1], what_);
  REVGAN_CHECK(it[2]->is_string() && !it[2]->text.empty() && it[2]->text.size() <= 64,
               "{}: a storage key must be a short string, found {}", what_, describe(*it[2]));
  REVGAN_CHECK(it[3]->is_string(), "{}: a storage location must be a string, found {}", what_, describe(*it[3]));
  REVGAN_CHECK(it[4]->kind == Value::Kind::integer && it[4]->integer >= 0,
               "{}: a storage size must be a non-negative int, found {}", what_, describe(*it[4]));
  if (pid_length_ == 6)
    REVGAN_CHECK(it[5]->kind == Value::Kind::none,
                 "{}: storage '{}' is a view of another storage (view metadata), which is not supported", what_,
                 it[2]->text);
  const std::string& key = it[2]->text;
  const int64_t numel = it[4]->integer;
  // The bytes must exist in the file, so a huge declared size fails later without an allocation.
  auto [pos, inserted] = declared_.try_emplace(key, Declared{type, numel, {}, false});
  REVGAN_CHECK(inserted || (pos->second.type == type && pos->second.numel == numel),
               "{}: storage '{}' is declared twice with different types or sizes ({} x {} and {} x {})", what_, key,
               element_type_name(pos->second.type), pos->second.numel, element_type_name(type), numel);
  ValuePtr& v = values_[key];
  if (!v) {
    v = std::make_shared<Value>();
    v->kind = Value::Kind::storage;
    v->storage = std::make_unique<StorageRef>(StorageRef{key, type, numel});
    v->frozen = true;
  }
  return v;
}

void StorageTable::supply(const std::string& key, std::span<const uint8_t> bytes) {
  auto it = declared_.find(key);
  REVGAN_CHECK(it != declared_.end(), "{}: storage '{}' is not used by the pickle", what_, key);
  Declared& d = it->second;
  REVGAN_CHECK(!d.supplied, "{}: storage '{}' appears twice", what_, key);
  const uint64_t expected =
      static_cast<uint64_t>(d.numel) * element_size(d.type);  // numel <= 2^63 / 8 checked by caller sizes
  REVGAN_CHECK(static_cast<uint64_t>(d.numel) <= (uint64_t{1} << 60) && bytes.size() == expected,
               "{}: storage '{}' holds {} bytes, but the pickle declares {} {} elements ({} bytes)", what_, key,
               bytes.size(), d.numel, element_type_name(d.type), expected);
  d.bytes = bytes;
  d.supplied = true;
}

StoredTensor StorageTable::materialise(const std::string& name, const TensorRecord& r, uint64_t& budget) const {
  const Declared& d = declared_.at(r.storage.key);
  REVGAN_CHECK(d.supplied, "{}: tensor '{}': the data of storage '{}' is missing", what_, name, r.storage.key);
  StoredTensor t;
  t.type = d.type;
  t.shape = r.size;
  const int64_t numel = r.numel();  // <= the storage's element count (checked by the unpickler)
  const std::size_t esize = element_size(d.type);
  const uint64_t bytes = static_cast<uint64_t>(numel) * esize;
  REVGAN_CHECK(bytes <= budget,
               "{}: tensor '{}' would bring the state dict past {} bytes (storages shared by many "
               "tensors?)",
               what_, name, budget);
  budget -= bytes;
  t.bytes.resize(static_cast<std::size_t>(bytes));
  if (numel == 0) return t;
  // Walk the index space in row-major order; the innermost axis is a strided copy.
  const std::size_t dims = r.size.size();
  std::vector<int64_t> index(dims, 0);
  int64_t source = r.offset;
  const int64_t inner = dims ? r.size[dims - 1] : 1, inner_stride = dims ? r.stride[dims - 1] : 1;
  uint8_t* out = t.bytes.data();
  for (int64_t done = 0; done < numel; done += inner) {
    if (inner_stride == 1) {  // a contiguous row: one copy
      std::memcpy(out, d.bytes.data() + static_cast<std::size_t>(source) * esize,
                  static_cast<std::size_t>(inner) * esize);
      out += static_cast<std::size_t>(inner) * esize;
    } else {
      for (int64_t k = 0; k < inner; ++k) {
        std::memcpy(out, d.bytes.data() + static_cast<std::size_t>(source + k * inner_stride) * esize, esize);
        out += esize;
      }
    }
    for (std::size_t ax = dims >= 1 ? dims - 1 : 0; ax-- > 0;) {
      source += r.stride[ax];
      if (++index[ax] < r.size[ax]) break;
      source -= r.stride[ax] * r.size[ax];
      index[ax] = 0;
    }
  }
  return t;
}

StateDict StorageTable::to_state_dict(const Value& top, uint64_t max_bytes) const {
  REVGAN_CHECK(top.kind == Value::Kind::dict, "{}: the pickle holds {}, not a state dict (a dict of tensors)", what_,
               describe(top));
  StateDict out;
  std::set<std::string> seen;
  uint64_t budget = max_bytes;
  for (const auto& [key, value] : top.dict) {
    REVGAN_CHECK(key->is_string(), "{}: a state dict key must be a string, found {}", what_, describe(*key));
    const std::string& name = key->text;
    REVGAN_CHECK(value->kind == Value::Kind::tensor,
                 "{}: entry '{}' is {}, not a tensor (only plain state dicts are supported: a whole pickled model or a "
                 "training checkpoint with other entries is not)",
                 what_, name, describe(*value));
    REVGAN_CHECK(seen.insert(name).second, "{}: key '{}' appears twice", what_, name);
    out.entries.emplace_back(name, materialise(name, *value->tensor, budget));
  }
  return out;
}

}  // namespace revgan::io::pth
