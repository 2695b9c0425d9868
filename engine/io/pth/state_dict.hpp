// What a .pth state dict holds once read: named host tensors (float32, float64 or int64),
// contiguous and little-endian, in the file's order. Reading (both serialisation formats of
// torch.save) and writing (the zip format) live in pth_reader.hpp and pth_writer.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/io/pth/pickle_value.hpp"

namespace revgan::io::pth {

struct StoredTensor {
  ElementType type = ElementType::float32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;  // numel() * element_size(type), row-major

  int64_t numel() const;
  std::string shape_str() const;  // "[64, 3, 7, 7]"
  // Element i as a double (int64 converted).
  double value(int64_t i) const;
};

struct StateDict {
  std::vector<std::pair<std::string, StoredTensor>> entries;
  const StoredTensor* find(std::string_view key) const;
};

}  // namespace revgan::io::pth
