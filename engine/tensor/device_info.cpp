// Device descriptions; the CUDA part exists only in CUDA builds.
#include "engine/tensor/device_info.hpp"

#include "engine/core/check.hpp"

#ifdef REVGAN_WITH_CUDA
#include "engine/cuda/cuda_runtime_api.hpp"
#endif

namespace revgan {

std::string describe_device(Device device) {
  if (device.is_cpu()) return device.str();
#ifdef REVGAN_WITH_CUDA
  return fmt::format("{} ({})", device.str(), cuda_device_name(device.index));
#else
  REVGAN_FAIL("device {}: this build has no CUDA support (configure with -DREVGAN_CUDA=ON)", device.str());
#endif
}

}  // namespace revgan
