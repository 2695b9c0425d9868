// Available memory from /proc/meminfo and the cgroup files (Linux), or the CUDA driver.
#include "engine/memory/available_memory.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <string>

#include "engine/core/check.hpp"
#include "engine/memory/allocator.hpp"
#ifdef REVGAN_WITH_CUDA
#include "engine/cuda/cuda_runtime_api.hpp"
#endif

namespace revgan {

namespace {

constexpr int64_t k_unknown = std::numeric_limits<int64_t>::max();

// The first number in a file, or k_unknown ("max", missing file).
int64_t number_in(const char* path) {
  std::ifstream f(path);
  long long v = 0;
  return (f >> v) ? static_cast<int64_t>(v) : k_unknown;
}

int64_t mem_available() {
  std::ifstream f("/proc/meminfo");
  std::string key;
  long long kib = 0;
  std::string unit;
  while (f >> key >> kib >> unit)
    if (key == "MemAvailable:") return static_cast<int64_t>(kib) * 1024;
  const long pages = ::sysconf(_SC_AVPHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page : k_unknown;
}

// Limit minus usage of this process's memory cgroup; limits near 2^63 mean none.
int64_t cgroup_room() {
  int64_t limit = number_in("/sys/fs/cgroup/memory.max");
  int64_t usage = number_in("/sys/fs/cgroup/memory.current");
  if (limit == k_unknown) {
    limit = number_in("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    usage = number_in("/sys/fs/cgroup/memory/memory.usage_in_bytes");
  }
  if (limit == k_unknown || usage == k_unknown || limit >= (int64_t{1} << 60)) return k_unknown;
  return std::max<int64_t>(0, limit - usage);
}

}  // namespace

int64_t available_memory_bytes(Device device) {
  // Blocks the allocator caches are free to this process, though not to the system.
  const MemoryStats s = allocator_for(device).stats();
  const int64_t cached = std::max<int64_t>(0, s.reserved_bytes - s.live_bytes);
  if (device.is_cpu()) {
    const int64_t room = std::min(mem_available(), cgroup_room());
    REVGAN_CHECK(room != k_unknown, "cannot tell how much memory is available (no /proc/meminfo)");
    return room + cached;
  }
#ifdef REVGAN_WITH_CUDA
  return cuda_free_bytes(device.index) + cached;
#else
  REVGAN_FAIL("device {}: this build has no CUDA support (configure with -DREVGAN_CUDA=ON)", device.str());
#endif
}

}  // namespace revgan
