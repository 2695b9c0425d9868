// What a byte is for. Every allocation is attributed to the category in force on the
// allocating thread, set by a MemoryCategoryScope guard (default: activations).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace revgan {

// weight_copies: parameters re-laid out for a kernel library and kept between its calls
// (engine/ops/onednn_weight_cache.hpp).
enum class MemoryCategory : uint8_t { activations, parameters, gradients, optimizer_state, weight_copies, count };
constexpr std::size_t memory_category_count = static_cast<std::size_t>(MemoryCategory::count);

constexpr std::array<std::string_view, memory_category_count> memory_category_names{
    "activations", "parameters", "gradients", "optimizer_state", "weight_copies"};

MemoryCategory current_memory_category();

// Sets the category for allocations made on this thread while it lives.
class MemoryCategoryScope {
 public:
  explicit MemoryCategoryScope(MemoryCategory category);
  ~MemoryCategoryScope();
  MemoryCategoryScope(const MemoryCategoryScope&) = delete;
  MemoryCategoryScope& operator=(const MemoryCategoryScope&) = delete;

 private:
  MemoryCategory previous_;
};

}  // namespace revgan
