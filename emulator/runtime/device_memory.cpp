// Allocation registry of the emulated devices.
#include "emulator/runtime/device_memory.hpp"

#include <fmt/format.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include "emulator/runtime/config.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define REVGAN_EMU_ASAN 1
#endif

namespace revgan::emu {

namespace {

constexpr std::size_t k_alignment = 256;  // what cudaMalloc guarantees
constexpr std::size_t k_redzone = 256;
constexpr unsigned char k_redzone_byte = 0xA5;

// Large allocations are mapped directly and marked for transparent huge pages: a few GiB of
// emulated device memory then costs thousands of page faults, not millions.
constexpr std::size_t k_map_threshold = std::size_t{1} << 20;

struct Entry {
  Region region;
  std::size_t total = 0;  // bytes obtained from the host, redzone included
  bool mapped = false;
};

struct Registry {
  std::map<std::uintptr_t, Entry> regions;  // by base address
  std::vector<std::size_t> used = std::vector<std::size_t>(64, 0);
};

Registry& registry() {
  static auto* r = new Registry();  // immortal, like a driver's state
  return *r;
}

std::string redzone_damage(const Region& r) {
#ifdef REVGAN_EMU_ASAN
  (void)r;
  return {};  // AddressSanitizer reports the access itself
#else
  const auto* z = reinterpret_cast<const unsigned char*>(r.base + r.size);
  for (std::size_t i = 0; i < k_redzone; ++i)
    if (z[i] != k_redzone_byte)
      return fmt::format("byte {} past the end of the {}-byte allocation at {} on device {} was overwritten", i, r.size,
                         static_cast<const void*>(r.base), r.device);
  return {};
#endif
}

}  // namespace

cudaError_t device_allocate(int device, std::size_t bytes, void** out) {
  std::lock_guard lock(state_mutex());
  Registry& reg = registry();
  *out = nullptr;
  if (bytes == 0) return cudaSuccess;
  const std::size_t capacity = config().memory_per_device;
  if (bytes > capacity || reg.used[device] > capacity - bytes)
    return raise(cudaErrorMemoryAllocation, fmt::format("cudaMalloc of {} bytes on device {}: {} of {} bytes in use",
                                                        bytes, device, reg.used[device], capacity));
  const std::size_t total = (bytes + k_redzone + k_alignment - 1) / k_alignment * k_alignment;
  const bool mapped = total >= k_map_threshold;
  char* base = nullptr;
  if (mapped) {
    void* p = ::mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED) {
      ::madvise(p, total, MADV_HUGEPAGE);
      base = static_cast<char*>(p);
    }
  } else {
    base = static_cast<char*>(std::aligned_alloc(k_alignment, total));
  }
  if (base == nullptr)
    return raise(cudaErrorMemoryAllocation,
                 fmt::format("cudaMalloc of {} bytes on device {}: the host is out of memory", bytes, device));
  std::memset(base, k_fresh_byte, bytes);
  std::memset(base + bytes, k_redzone_byte, total - bytes);
#ifdef REVGAN_EMU_ASAN
  ASAN_POISON_MEMORY_REGION(base + bytes, total - bytes);
#endif
  reg.regions[reinterpret_cast<std::uintptr_t>(base)] = Entry{Region{base, bytes, device}, total, mapped};
  reg.used[device] += bytes;
  *out = base;
  return cudaSuccess;
}

cudaError_t device_release(void* ptr) {
  std::lock_guard lock(state_mutex());
  Registry& reg = registry();
  if (ptr == nullptr) return cudaSuccess;
  auto it = reg.regions.find(reinterpret_cast<std::uintptr_t>(ptr));
  if (it == reg.regions.end())
    return raise(cudaErrorInvalidDevicePointer,
                 fmt::format("cudaFree({}): not the start of a live device allocation", ptr));
  const Entry e = it->second;
  const Region& r = e.region;
  const std::string damage = redzone_damage(r);
#ifdef REVGAN_EMU_ASAN
  ASAN_UNPOISON_MEMORY_REGION(r.base + r.size, e.total - r.size);
#endif
  reg.used[r.device] -= r.size;
  reg.regions.erase(it);
  if (e.mapped)
    ::munmap(r.base, e.total);
  else
    std::free(r.base);
  if (!damage.empty()) return raise(cudaErrorIllegalAddress, "at cudaFree: " + damage);
  return cudaSuccess;
}

std::optional<Region> find_region(const void* p) {
  std::lock_guard lock(state_mutex());
  Registry& reg = registry();
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  auto it = reg.regions.upper_bound(a);
  if (it == reg.regions.begin()) return std::nullopt;
  --it;
  const Region& r = it->second.region;
  if (a <= it->first + r.size) return r;
  return std::nullopt;
}

std::optional<Region> find_range(const void* p, std::size_t bytes) {
  std::optional<Region> r = find_region(p);
  if (!r) return std::nullopt;
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  const auto base = reinterpret_cast<std::uintptr_t>(r->base);
  if (a - base > r->size || bytes > r->size - (a - base)) return std::nullopt;
  return r;
}

std::size_t device_used_bytes(int device) {
  std::lock_guard lock(state_mutex());
  return registry().used[device];
}

Fault check_redzones(int device) {
  std::lock_guard lock(state_mutex());
  for (const auto& [base, e] : registry().regions) {
    const Region& r = e.region;
    if (device >= 0 && r.device != device) continue;
    const std::string damage = redzone_damage(r);
    if (!damage.empty()) return Fault{cudaErrorIllegalAddress, damage};
  }
  return {};
}

}  // namespace revgan::emu
