// Storage allocation through the device allocator, charged to the current memory category.
#include "engine/tensor/storage.hpp"

namespace revgan {

Storage::Storage(std::size_t bytes, Device device)
    : bytes_(bytes), device_(device), category_(current_memory_category()), allocator_(&allocator_for(device)) {
  data_ = allocator_->allocate(bytes, category_);
}

Storage::~Storage() { allocator_->deallocate(data_, bytes_, category_); }

}  // namespace revgan
