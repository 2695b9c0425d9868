// StoredTensor helpers.
#include "engine/io/pth/state_dict.hpp"

#include <fmt/format.h>

#include <cstring>

#include "engine/io/pth/byte_cursor.hpp"

namespace revgan::io::pth {

int64_t StoredTensor::numel() const {
  int64_t n = 1;
  for (int64_t s : shape) n = checked_mul(n, s, "tensor shape");
  return n;
}

std::string StoredTensor::shape_str() const {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += fmt::format("{}{}", i ? ", " : "", shape[i]);
  return s + "]";
}

double StoredTensor::value(int64_t i) const {
  REVGAN_CHECK(i >= 0 && i < numel(), "StoredTensor::value: index {} outside {} elements", i, numel());
  const uint8_t* p = bytes.data() + static_cast<std::size_t>(i) * element_size(type);
  switch (type) {
    case ElementType::float32: {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
    case ElementType::float64: {
      double d;
      std::memcpy(&d, p, 8);
      return d;
    }
    case ElementType::int64: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return static_cast<double>(v);
    }
  }
  return 0;
}

const StoredTensor* StateDict::find(std::string_view key) const {
  for (const auto& [k, t] : entries)
    if (k == key) return &t;
  return nullptr;
}

}  // namespace revgan::io::pth
