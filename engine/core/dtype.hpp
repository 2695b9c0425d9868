// Element types. float64 exists for gradient checks and references on the CPU; the enum is
// open so that reduced-precision types can be added later without changing the tensor layout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/core/check.hpp"

namespace revgan {

enum class DType : uint8_t { float32, float64 };

constexpr std::size_t dtype_size(DType t) { return t == DType::float32 ? 4 : 8; }
constexpr std::string_view dtype_name(DType t) { return t == DType::float32 ? "float32" : "float64"; }

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::float32; }
template <> constexpr DType dtype_of<double>() { return DType::float64; }

// Calls f(T{}) with T the C++ type of `t`; the one place that maps dtypes to types.
template <class F>
decltype(auto) dispatch_floating(DType t, F&& f) {
  switch (t) {
    case DType::float32: return f(float{});
    case DType::float64: return f(double{});
  }
  REVGAN_FAIL("unknown dtype {}", static_cast<int>(t));
}

}  // namespace revgan
