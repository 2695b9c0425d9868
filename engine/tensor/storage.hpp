// A reference-counted block of device memory obtained from a device allocator; it remembers
// the category it was charged to, so freeing it credits the same category.
#pragma once

#include <cstddef>
#include <memory>

#include "engine/core/device.hpp"
#include "engine/memory/allocator.hpp"

namespace revgan {

class Storage {
 public:
  Storage(std::size_t bytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() { return data_; }
  const void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  Device device() const { return device_; }
  MemoryCategory category() const { return category_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  Device device_;
  MemoryCategory category_;
  Allocator* allocator_;
};

}  // namespace revgan
