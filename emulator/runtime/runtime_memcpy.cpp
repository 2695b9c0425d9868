// Copies and fills. Every device range must lie inside one live allocation and every host
// range outside device memory, in the direction the kind names. A host-to-device copy takes
// its bytes at the call (pageable memory is staged before the call returns), device-side
// effects happen when the stream runs the copy.
#include <fmt/format.h>

#include <cstring>
#include <memory>
#include <vector>

#include "emulator/runtime/device_memory.hpp"
#include "emulator/runtime/streams.hpp"

using namespace revgan::emu;

namespace {

const char* kind_name(cudaMemcpyKind kind) {
  switch (kind) {
    case cudaMemcpyHostToHost:
      return "host to host";
    case cudaMemcpyHostToDevice:
      return "host to device";
    case cudaMemcpyDeviceToHost:
      return "device to host";
    case cudaMemcpyDeviceToDevice:
      return "device to device";
    case cudaMemcpyDefault:
      return "default";
  }
  return "unknown";
}

// Checks one side of a copy: device memory in full when `device`, else not device memory.
cudaError_t check_side(const void* p, std::size_t bytes, bool device, const char* side, const char* api,
                       cudaMemcpyKind kind) {
  if (device) {
    if (!find_range(p, bytes))
      return raise(cudaErrorInvalidValue,
                   fmt::format("{} ({}): the {} range [{}, +{}) is not inside one device allocation", api,
                               kind_name(kind), side, p, bytes));
  } else if (find_region(p)) {
    return raise(cudaErrorInvalidValue,
                 fmt::format("{} ({}): the {} pointer {} is device memory", api, kind_name(kind), side, p));
  }
  return cudaSuccess;
}

cudaError_t check_copy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind* kind, const char* api) {
  if (*kind == cudaMemcpyDefault) {
    const bool d = find_region(dst).has_value(), s = find_region(src).has_value();
    *kind = d ? (s ? cudaMemcpyDeviceToDevice : cudaMemcpyHostToDevice)
              : (s ? cudaMemcpyDeviceToHost : cudaMemcpyHostToHost);
  }
  if (*kind < cudaMemcpyHostToHost || *kind > cudaMemcpyDeviceToDevice)
    return raise(cudaErrorInvalidMemcpyDirection, fmt::format("{}: kind {}", api, static_cast<int>(*kind)));
  const bool dst_device = *kind == cudaMemcpyHostToDevice || *kind == cudaMemcpyDeviceToDevice;
  const bool src_device = *kind == cudaMemcpyDeviceToHost || *kind == cudaMemcpyDeviceToDevice;
  if (cudaError_t e = check_side(dst, bytes, dst_device, "destination", api, *kind); e != cudaSuccess) return e;
  if (cudaError_t e = check_side(src, bytes, src_device, "source", api, *kind); e != cudaSuccess) return e;
  const auto* d = static_cast<const char*>(dst);
  const auto* s = static_cast<const char*>(src);
  if (d < s + bytes && s < d + bytes)
    return raise(cudaErrorInvalidValue, fmt::format("{}: source and destination overlap", api));
  return cudaSuccess;
}

Work copy_work(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind) {
  if (kind == cudaMemcpyHostToDevice || kind == cudaMemcpyHostToHost) {
    auto staged =
        std::make_shared<std::vector<char>>(static_cast<const char*>(src), static_cast<const char*>(src) + bytes);
    return [dst, staged] {
      std::memcpy(dst, staged->data(), staged->size());
      return Fault{};
    };
  }
  return [dst, src, bytes] {
    std::memcpy(dst, src, bytes);
    return Fault{};
  };
}

cudaError_t copy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind, cudaStream_t stream,
                 const char* api) {
  if (bytes == 0) return cudaSuccess;
  if (cudaError_t e = check_copy(dst, src, bytes, &kind, api); e != cudaSuccess) return e;
  std::shared_ptr<Stream> s;
  if (cudaError_t e = resolve_stream(stream, &s); e != cudaSuccess) return e;
  return raise(enqueue(*s, copy_work(dst, src, bytes, kind)));
}

cudaError_t check_peer(const void* p, std::size_t bytes, int device, const char* side, const char* api) {
  const std::optional<Region> r = find_range(p, bytes);
  if (!r || r->device != device)
    return raise(cudaErrorInvalidValue,
                 fmt::format("{}: the {} range [{}, +{}) is not inside one allocation of device {}", api, side, p,
                             bytes, device));
  return cudaSuccess;
}

cudaError_t fill(void* ptr, int value, std::size_t bytes, cudaStream_t stream, const char* api) {
  if (bytes == 0) return cudaSuccess;
  if (!find_range(ptr, bytes))
    return raise(cudaErrorInvalidValue,
                 fmt::format("{}: [{}, +{}) is not inside one device allocation", api, ptr, bytes));
  std::shared_ptr<Stream> s;
  if (cudaError_t e = resolve_stream(stream, &s); e != cudaSuccess) return e;
  return raise(enqueue(*s, [ptr, value, bytes] {
    std::memset(ptr, value, bytes);
    return Fault{};
  }));
}

}  // namespace

cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind) {
  return copy(dst, src, bytes, kind, nullptr, "cudaMemcpy");
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind kind, cudaStream_t stream) {
  return copy(dst, src, bytes, kind, stream, "cudaMemcpyAsync");
}

cudaError_t cudaMemcpyPeerAsync(void* dst, int dst_device, const void* src, int src_device, std::size_t bytes,
                                cudaStream_t stream) {
  if (bytes == 0) return cudaSuccess;
  if (cudaError_t e = check_peer(dst, bytes, dst_device, "destination", "cudaMemcpyPeerAsync"); e != cudaSuccess)
    return e;
  if (cudaError_t e = check_peer(src, bytes, src_device, "source", "cudaMemcpyPeerAsync"); e != cudaSuccess) return e;
  return copy(dst, src, bytes, cudaMemcpyDeviceToDevice, stream, "cudaMemcpyPeerAsync");
}

cudaError_t cudaMemcpyPeer(void* dst, int dst_device, const void* src, int src_device, std::size_t bytes) {
  return cudaMemcpyPeerAsync(dst, dst_device, src, src_device, bytes, nullptr);
}

cudaError_t cudaMemset(void* ptr, int value, std::size_t bytes) {
  return fill(ptr, value, bytes, nullptr, "cudaMemset");
}

cudaError_t cudaMemsetAsync(void* ptr, int value, std::size_t bytes, cudaStream_t stream) {
  return fill(ptr, value, bytes, stream, "cudaMemsetAsync");
}
