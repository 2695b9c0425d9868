// Device checks, barriers, driver memory and cuDNN workspace figures for `bench train`.
#include "bench/device_probe.hpp"

#include "engine/core/check.hpp"
#ifdef REVGAN_WITH_CUDA
#include "engine/cuda/cuda_runtime_api.hpp"
#include "engine/cuda/cudnn_workspace_policy.hpp"
#include "engine/cuda/library_scratch.hpp"
#endif

namespace revgan::bench {

void require_device(Device device) {
  if (device.is_cpu()) return;
#ifdef REVGAN_WITH_CUDA
  REVGAN_CHECK(device.index < cuda_device_count(), "bench train: --device {}: device not available ({})", device.str(),
               cuda_device_count() == 0 ? cuda_unavailable_reason() : "index out of range");
#else
  REVGAN_FAIL("bench train: --device {}: this build has no CUDA backend (configure with -DREVGAN_CUDA=ON)",
              device.str());
#endif
}

void synchronize_device(Device device) {
#ifdef REVGAN_WITH_CUDA
  if (device.is_cuda()) cuda_synchronize(device.index);
#else
  (void)device;
#endif
}

std::optional<int64_t> driver_used_bytes(Device device) {
#ifdef REVGAN_WITH_CUDA
  if (device.is_cuda()) return cuda_driver_used_bytes(device.index);
#else
  (void)device;
#endif
  return std::nullopt;
}

void reset_cudnn_workspace_peak(Device device) {
#ifdef REVGAN_WITH_CUDA
  if (device.is_cuda()) cuda::reset_library_scratch_peak();
#else
  (void)device;
#endif
}

std::optional<int64_t> cudnn_workspace_peak_bytes(Device device) {
#ifdef REVGAN_WITH_CUDA
  if (device.is_cuda()) return cuda::library_scratch_stats().peak_bytes;
#else
  (void)device;
#endif
  return std::nullopt;
}

std::optional<std::string> cudnn_workspace_policy(Device device) {
#ifdef REVGAN_WITH_CUDA
  if (device.is_cuda()) return cuda::cudnn_workspace_policy_name(cuda::cudnn_workspace_policy());
#else
  (void)device;
#endif
  return std::nullopt;
}

}  // namespace revgan::bench
