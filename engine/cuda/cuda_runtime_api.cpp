// Device discovery and copies through the CUDA runtime.
#include "engine/cuda/cuda_runtime_api.hpp"

#include "engine/cuda/cuda_check.hpp"
#include "engine/cuda/stream.hpp"

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

int cuda_device_count() {
  return probe().count;
}
std::string cuda_unavailable_reason() {
  return probe().reason;
}

namespace {
struct MemInfo {
  std::size_t free = 0, total = 0;
};
MemInfo mem_info(int index) {
  REVGAN_CHECK(index >= 0 && index < cuda_device_count(), "cuda:{}: device not available ({})", index,
               cuda_device_count() == 0 ? cuda_unavailable_reason() : "index out of range");
  cuda::DeviceGuard guard(index);
  MemInfo m;
  REVGAN_CUDA_CHECK(cudaMemGetInfo(&m.free, &m.total));
  return m;
}
}  // namespace

int64_t cuda_driver_used_bytes(int index) {
  const MemInfo m = mem_info(index);
  return static_cast<int64_t>(m.total - m.free);
}

int64_t cuda_free_bytes(int index) { return static_cast<int64_t>(mem_info(index).free); }

void cuda_synchronize(int index) {
  cuda::DeviceGuard guard(index);
  cuda::synchronize();
}

void cuda_copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes) {
  REVGAN_CHECK(cuda_device_count() > 0, "copy {} -> {}: CUDA unavailable ({})", src_device.str(), dst_device.str(),
               cuda_unavailable_reason());
  cudaMemcpyKind kind = src_device.is_cpu()   ? cudaMemcpyHostToDevice
                        : dst_device.is_cpu() ? cudaMemcpyDeviceToHost
                                              : cudaMemcpyDeviceToDevice;
  // Copies join the compute stream of the device involved, so they are ordered with the kernels
  // that produce and consume the data (and with the allocator's block reuse). A copy to the host
  // waits for its data; copies to a device need not, as later work on the stream follows them.
  cuda::set_device(dst_device.is_cuda() ? dst_device.index : src_device.index);
  cudaStream_t stream = cuda::stream();
  REVGAN_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, kind, stream));
  if (kind == cudaMemcpyDeviceToHost) REVGAN_CUDA_CHECK(cudaStreamSynchronize(stream));
}

}  // namespace revgan
