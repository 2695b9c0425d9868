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

std::string cuda_device_name(int index) {
  REVGAN_CHECK(index >= 0 && index < cuda_device_count(), "cuda:{}: device not available ({})", index,
               cuda_device_count() == 0 ? cuda_unavailable_reason() : "index out of range");
  cudaDeviceProp prop{};
  REVGAN_CUDA_CHECK(cudaGetDeviceProperties(&prop, index));
  return prop.name;
}

namespace {

// An event that only orders work (no timing), destroyed at scope exit; destroying an event whose
// work is still queued is allowed, the waits already issued stay in force.
class OrderingEvent {
 public:
  OrderingEvent() { REVGAN_CUDA_CHECK(cudaEventCreateWithFlags(&event_, cudaEventDisableTiming)); }
  ~OrderingEvent() { cudaEventDestroy(event_); }
  OrderingEvent(const OrderingEvent&) = delete;
  OrderingEvent& operator=(const OrderingEvent&) = delete;
  // Makes `waiter` wait for the work queued on `producer` so far.
  void order(cudaStream_t producer, cudaStream_t waiter) {
    REVGAN_CUDA_CHECK(cudaEventRecord(event_, producer));
    REVGAN_CUDA_CHECK(cudaStreamWaitEvent(waiter, event_, 0));
  }

 private:
  cudaEvent_t event_ = nullptr;
};

cudaStream_t stream_of(int index) {
  cuda::set_device(index);
  return cuda::stream();
}

// Between two devices: the copy runs on the destination's stream once the source's stream has
// produced the data, and the source's stream waits for the copy before its later work (which
// may reuse the source's memory, see cuda_allocator.cpp) runs. Events are recorded on the device
// that owns the stream.
void copy_between_devices(void* dst, int dst_index, const void* src, int src_index, std::size_t bytes) {
  const cudaStream_t src_stream = stream_of(src_index);
  const cudaStream_t dst_stream = stream_of(dst_index);
  cuda::set_device(src_index);
  OrderingEvent produced;
  produced.order(src_stream, dst_stream);
  cuda::set_device(dst_index);
  REVGAN_CUDA_CHECK(cudaMemcpyPeerAsync(dst, dst_index, src, src_index, bytes, dst_stream));
  OrderingEvent copied;
  copied.order(dst_stream, src_stream);
}

}  // namespace

void cuda_copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes) {
  REVGAN_CHECK(cuda_device_count() > 0, "copy {} -> {}: CUDA unavailable ({})", src_device.str(), dst_device.str(),
               cuda_unavailable_reason());
  // Whatever device the copy needs, the caller's current device is restored afterwards.
  cuda::DeviceGuard restore(cuda::current_device());
  if (src_device.is_cuda() && dst_device.is_cuda() && src_device.index != dst_device.index) {
    copy_between_devices(dst, dst_device.index, src, src_device.index, bytes);
    return;
  }
  const cudaMemcpyKind kind = src_device.is_cpu()   ? cudaMemcpyHostToDevice
                              : dst_device.is_cpu() ? cudaMemcpyDeviceToHost
                                                    : cudaMemcpyDeviceToDevice;
  // Copies join the compute stream of the device involved, so they are ordered with the kernels
  // that produce and consume the data (and with the allocator's block reuse). A copy to the host
  // waits for its data; copies to a device need not, as later work on the stream follows them.
  const cudaStream_t stream = stream_of(dst_device.is_cuda() ? dst_device.index : src_device.index);
  REVGAN_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, kind, stream));
  if (kind == cudaMemcpyDeviceToHost) REVGAN_CUDA_CHECK(cudaStreamSynchronize(stream));
}

}  // namespace revgan
