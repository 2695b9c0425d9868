// Emulated device memory: host allocations registered per device, counted against the
// device's capacity, filled with 0xFF bytes when fresh (NaN in float and double, so a read of
// memory no kernel wrote shows up, like compute-sanitizer's initcheck) and followed by a
// 256-byte redzone. Under AddressSanitizer the redzone is poisoned, so any access to it is
// reported at once; otherwise it holds a pattern checked at cudaFree and device synchronisation.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "emulator/runtime/errors.hpp"

namespace revgan::emu {

inline constexpr unsigned char k_fresh_byte = 0xFF;

struct Region {
  char* base = nullptr;
  std::size_t size = 0;
  int device = 0;
};

cudaError_t device_allocate(int device, std::size_t bytes, void** out);
cudaError_t device_release(void* ptr);
// The allocation that contains p, or whose end p is.
std::optional<Region> find_region(const void* p);
// Whether [p, p + bytes) lies inside one allocation; the region when it does.
std::optional<Region> find_range(const void* p, std::size_t bytes);
std::size_t device_used_bytes(int device);
// A fault naming the first allocation of `device` (-1: any) whose redzone was overwritten.
Fault check_redzones(int device);

}  // namespace revgan::emu
