// Element types and value descriptions for pickle error messages.
#include "engine/io/pth/pickle_value.hpp"

#include <fmt/format.h>

#include "engine/io/pth/byte_cursor.hpp"

namespace revgan::io::pth {

std::size_t element_size(ElementType t) {
  return t == ElementType::float32 ? 4 : 8;
}

const char* element_type_name(ElementType t) {
  switch (t) {
    case ElementType::float32:
      return "float32";
    case ElementType::float64:
      return "float64";
    case ElementType::int64:
      return "int64";
  }
  return "?";
}

int64_t TensorRecord::numel() const {
  int64_t n = 1;
  for (int64_t s : size) n = checked_mul(n, s, "tensor size");
  return n;
}

// Every element the record reads lies inside its storage.
std::string tensor_record_problem(const TensorRecord& r) {
  if (r.size.size() != r.stride.size())
    return fmt::format("tensor with {} sizes but {} strides", r.size.size(), r.stride.size());
  if (r.offset < 0) return fmt::format("tensor with negative storage offset {}", r.offset);
  int64_t numel = 1, last = r.offset;
  for (std::size_t i = 0; i < r.size.size(); ++i) {
    if (r.size[i] < 0 || r.stride[i] < 0)
      return fmt::format("tensor with negative size or stride ({}, {})", r.size[i], r.stride[i]);
    if (__builtin_mul_overflow(numel, r.size[i], &numel)) return fmt::format("tensor size overflows");
    int64_t reach = 0;
    if (r.size[i] > 0 &&
        (__builtin_mul_overflow(r.size[i] - 1, r.stride[i], &reach) || __builtin_add_overflow(last, reach, &last)))
      return fmt::format("tensor extent overflows");
  }
  const std::string& key = r.storage.key;
  if (numel > 0 && last >= r.storage.numel)
    return fmt::format("a tensor reads element {} of storage '{}', which holds {}", last, key.substr(0, 64),
                       r.storage.numel);
  if (numel == 0 && r.offset > r.storage.numel)
    return fmt::format("a tensor starts at element {} of storage '{}', which holds {}", r.offset, key.substr(0, 64),
                       r.storage.numel);
  // Reading more elements than the storage holds would need overlapping (broadcast) strides;
  // refusing them bounds what a file can make us allocate by its own size.
  if (numel > r.storage.numel)
    return fmt::format("a tensor of {} elements over storage '{}' of {} (broadcast views are not supported)", numel,
                       key.substr(0, 64), r.storage.numel);
  return {};
}

const ValuePtr* Value::find(const std::string& key) const {
  for (const auto& [k, v] : dict)
    if (k->is_string() && k->text == key) return &v;
  return nullptr;
}

std::string describe(const Value& v) {
  switch (v.kind) {
    case Value::Kind::none:
      return "None";
    case Value::Kind::boolean:
      return v.boolean ? "True" : "False";
    case Value::Kind::integer:
      return fmt::format("the int {}", v.integer);
    case Value::Kind::big_integer:
      return "a big int";
    case Value::Kind::floating:
      return fmt::format("the float {}", v.floating);
    case Value::Kind::string:
      return fmt::format("the string '{}'", v.text.size() <= 64 ? v.text : v.text.substr(0, 64) + "...");
    case Value::Kind::tuple:
      return fmt::format("a tuple of {}", v.items.size());
    case Value::Kind::list:
      return fmt::format("a list of {}", v.items.size());
    case Value::Kind::dict:
      return fmt::format("a dict of {}", v.dict.size());
    case Value::Kind::global:
      return fmt::format("the global '{}'", v.text);
    case Value::Kind::storage:
      return fmt::format("storage '{}'", v.storage->key);
    case Value::Kind::tensor:
      return "a tensor";
  }
  return "?";
}

}  // namespace revgan::io::pth
