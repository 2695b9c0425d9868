// Device discovery and copies through the CUDA runtime.
#include "engine/cuda/cuda_runtime_api.hpp"

#include "engine/cuda/cuda_check.hpp"

namespace revgan {

namespace {
struct Probe {
  int count = 0;
  std::string reason;
};
const Probe& probe() {
  static const Probe result = [] {
    Probe p;
    cudaError_t status = cudaGetDeviceCount(&p.count);
    if (status != cudaSuccess) {
      p.count = 0;
      p.reason = fmt::format("{}: {}", cudaGetErrorName(status), cudaGetErrorString(status));
      cudaGetLastError();  // clear the sticky error so later calls are not poisoned
    } else if (p.count == 0) {
      p.reason = "no CUDA device";
    }
    return p;
  }();
  return result;
}
}  // namespace

int cuda_device_count() { return probe().count; }
std::string cuda_unavailable_reason() { return probe().reason; }

void cuda_copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes) {
  REVGAN_CHECK(cuda_device_count() > 0, "copy {} -> {}: CUDA unavailable ({})", src_device.str(), dst_device.str(),
               cuda_unavailable_reason());
  cudaMemcpyKind kind = src_device.is_cpu() ? cudaMemcpyHostToDevice
                        : dst_device.is_cpu() ? cudaMemcpyDeviceToHost
                                              : cudaMemcpyDeviceToDevice;
  REVGAN_CUDA_CHECK(cudaMemcpy(dst, src, bytes, kind));
}

}  // namespace revgan
