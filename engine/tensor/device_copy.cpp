// Byte copies between devices; the CUDA paths exist only in CUDA builds.
#include "engine/tensor/device_copy.hpp"

#include <cstring>

#include "engine/core/check.hpp"

#ifdef REVGAN_WITH_CUDA
#include "engine/cuda/cuda_runtime_api.hpp"
#endif

namespace revgan {

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes) {
  if (bytes == 0) return;
  if (dst_device.is_cpu() && src_device.is_cpu()) {
    std::memcpy(dst, src, bytes);
    return;
  }
#ifdef REVGAN_WITH_CUDA
  cuda_copy_bytes(dst, dst_device, src, src_device, bytes);
#else
  REVGAN_FAIL("copy from {} to {}: this build has no CUDA support", src_device.str(), dst_device.str());
#endif
}

}  // namespace revgan
