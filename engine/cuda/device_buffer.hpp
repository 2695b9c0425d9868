// Scratch device memory (cuDNN workspaces, reduction partials, im2col columns) taken from the
// device's accounted allocator for one call sequence and returned when it goes out of scope.
// Returning it early is safe: the caching allocator only hands the block to later work on the
// same stream (see cuda_allocator.cpp).
#pragma once

#include <cstddef>

#include "engine/memory/allocator.hpp"
#include "engine/memory/memory_category.hpp"

namespace revgan::cuda {

class DeviceBuffer {
 public:
  DeviceBuffer(Device device, std::size_t bytes)
      : allocator_(&allocator_for(device)),
        bytes_(bytes),
        category_(current_memory_category()),
        data_(allocator_->allocate(bytes, category_)) {}
  ~DeviceBuffer() { allocator_->deallocate(data_, bytes_, category_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* data() const { return data_; }
  template <class T>
  T* as() const {
    return static_cast<T*>(data_);
  }
  std::size_t bytes() const { return bytes_; }

 private:
  Allocator* allocator_;
  std::size_t bytes_;
  MemoryCategory category_;
  void* data_;
};

}  // namespace revgan::cuda
