// Device descriptions; the CUDA part (the device's name and the cuDNN workspace policy in force)
// exists only in CUDA builds.
#include "engine/tensor/device_info.hpp"

#include "engine/core/check.hpp"

#ifdef REVGAN_WITH_CUDA
#include "engine/cuda/cuda_runtime_api.hpp"
#include "engine/cuda/cudnn_workspace_policy.hpp"
#endif

namespace revgan {

std::string describe_device(Device device) {
  if (device.is_cpu()) return device.str();
#ifdef REVGAN_WITH_CUDA
  return fmt::format("{} ({}; cuDNN workspace {})", device.str(), cuda_device_name(device.index),
                     cuda::cudnn_workspace_policy_name(cuda::cudnn_workspace_policy()));
#else
  REVGAN_FAIL("device {}: this build has no CUDA support (configure with -DREVGAN_CUDA=ON)", device.str());
#endif
}

}  // namespace revgan
