// A reference-counted block of device memory obtained from a device allocator; it remembers
// the category it was charged to, so freeing it credits the same category. Each storage has an
// id no other storage of the process shares and a version that every mutable access bumps, so
// that a copy derived from its contents (oneDNN's re-laid-out weights,
// engine/ops/onednn_weight_cache.hpp) can tell whether it is still current.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
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

  // Mutable access counts as a write: it bumps version(). Writes must go through a pointer
  // obtained after the last read of a derived copy, i.e. take data() again for each write.
  void* data() {
    version_.fetch_add(1, std::memory_order_relaxed);
    return data_;
  }
  const void* data() const { return data_; }
  uint64_t id() const { return id_; }
  uint64_t version() const { return version_.load(std::memory_order_relaxed); }

  // A storage whose contents were copied into a derived form calls `listener(id())` when it is
  // freed, so the copy can go with it. One listener per process (the weight cache).
  using FreeListener = void (*)(uint64_t id);
  static void set_free_listener(FreeListener listener);
  void mark_copied() { copied_.store(true, std::memory_order_relaxed); }
  std::size_t bytes() const { return bytes_; }
  Device device() const { return device_; }
  MemoryCategory category() const { return category_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  Device device_;
  MemoryCategory category_;
  Allocator* allocator_;
  uint64_t id_;
  std::atomic<uint64_t> version_{0};
  std::atomic<bool> copied_{false};
};

}  // namespace revgan
