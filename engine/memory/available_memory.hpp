// How much memory new allocations can still get on a device: the basis of default memory
// budgets (e.g. revgan_infer's --max_memory).
#pragma once

#include <cstdint>

#include "engine/core/device.hpp"

namespace revgan {

// CPU: the kernel's MemAvailable, or less when a cgroup (v2 or v1) limit leaves less; CUDA:
// the driver's free device memory; both plus what the device's allocator caches unused.
int64_t available_memory_bytes(Device device);

}  // namespace revgan
