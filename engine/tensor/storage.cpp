// Storage allocation through the device allocator, charged to the current memory category.
#include "engine/tensor/storage.hpp"

namespace revgan {

namespace {
std::atomic<uint64_t> next_storage_id{1};
std::atomic<Storage::FreeListener> free_listener{nullptr};
}  // namespace

void Storage::set_free_listener(FreeListener listener) { free_listener.store(listener); }

Storage::Storage(std::size_t bytes, Device device)
    : bytes_(bytes),
      device_(device),
      category_(current_memory_category()),
      allocator_(&allocator_for(device)),
      id_(next_storage_id.fetch_add(1, std::memory_order_relaxed)) {
  data_ = allocator_->allocate(bytes, category_);
}

Storage::~Storage() {
  if (copied_.load(std::memory_order_relaxed))
    if (const FreeListener listener = free_listener.load()) listener(id_);
  allocator_->deallocate(data_, bytes_, category_);
}

}  // namespace revgan
