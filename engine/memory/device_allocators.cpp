// Maps a device to its allocator. CUDA allocators come from the CUDA backend when it is built.
#include "engine/core/check.hpp"
#include "engine/memory/allocator.hpp"

#ifdef REVGAN_WITH_CUDA
#include "engine/cuda/cuda_allocator.hpp"
#endif

namespace revgan {

Allocator& allocator_for(Device device) {
  if (device.is_cpu()) return cpu_allocator();
#ifdef REVGAN_WITH_CUDA
  return cuda_allocator(device.index);
#else
  REVGAN_FAIL("device {}: this build has no CUDA support (configure with -DREVGAN_CUDA=ON)", device.str());
#endif
}

}  // namespace revgan
