// Thread-local memory category used to attribute allocations.
#include "engine/memory/memory_category.hpp"

namespace revgan {

namespace {
thread_local MemoryCategory tls_category = MemoryCategory::activations;
}

MemoryCategory current_memory_category() { return tls_category; }

MemoryCategoryScope::MemoryCategoryScope(MemoryCategory category) : previous_(tls_category) {
  tls_category = category;
}

MemoryCategoryScope::~MemoryCategoryScope() { tls_category = previous_; }

}  // namespace revgan
