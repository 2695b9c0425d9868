// The device-level runtime calls: discovery, properties, the current device, synchronisation,
// memory information, allocation.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "emulator/runtime/config.hpp"
#include "emulator/runtime/device_memory.hpp"
#include "emulator/runtime/streams.hpp"

using namespace revgan::emu;

namespace {

cudaError_t check_device(int device, const char* api) {
  if (device < 0 || device >= config().devices)
    return raise(cudaErrorInvalidDevice,
                 fmt::format("{}: device {} does not exist ({} emulated device(s))", api, device, config().devices));
  return cudaSuccess;
}

}  // namespace

cudaError_t cudaGetDeviceCount(int* count) {
  *count = config().devices;
  if (*count == 0) return raise(cudaErrorNoDevice, "REVGAN_EMU_DEVICES=0: no emulated device");
  return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device) {
  if (cudaError_t e = check_device(device, "cudaGetDeviceProperties"); e != cudaSuccess) return e;
  std::memset(prop, 0, sizeof(*prop));
  const std::string name = "revgan CUDA emulator (kernels run on the host CPU; correctness only, not GPU timing)";
  std::memcpy(prop->name, name.c_str(), std::min(name.size(), sizeof(prop->name) - 1));
  prop->totalGlobalMem = config().memory_per_device;
  prop->sharedMemPerBlock = 48 << 10;
  prop->regsPerBlock = 65536;
  prop->warpSize = 32;
  prop->maxThreadsPerBlock = 1024;
  // Only one-dimensional grids and blocks are emulated.
  prop->maxThreadsDim[0] = 1024;
  prop->maxThreadsDim[1] = 1;
  prop->maxThreadsDim[2] = 1;
  prop->maxGridSize[0] = 2147483647;
  prop->maxGridSize[1] = 1;
  prop->maxGridSize[2] = 1;
  prop->multiProcessorCount = 1;
  prop->major = 0;  // not a real architecture
  prop->minor = 0;
  prop->unifiedAddressing = 1;
  return cudaSuccess;
}

cudaError_t cudaSetDevice(int device) {
  if (cudaError_t e = check_device(device, "cudaSetDevice"); e != cudaSuccess) return e;
  set_current_device(device);
  return cudaSuccess;
}

cudaError_t cudaGetDevice(int* device) {
  *device = current_device();
  return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize() {
  const int device = current_device();
  Fault f = flush_device(device);
  if (!f.failed()) f = check_redzones(device);
  return raise(f);
}

cudaError_t cudaMemGetInfo(std::size_t* free, std::size_t* total) {
  *total = config().memory_per_device;
  *free = *total - device_used_bytes(current_device());
  return cudaSuccess;
}

cudaError_t cudaMalloc(void** ptr, std::size_t bytes) {
  if (ptr == nullptr) return raise(cudaErrorInvalidValue, "cudaMalloc: null result pointer");
  return device_allocate(current_device(), bytes, ptr);
}

cudaError_t cudaFree(void* ptr) {
  if (ptr == nullptr) return cudaSuccess;
  // cudaFree waits for the device, so no queued work can still touch the memory.
  if (std::optional<Region> r = find_region(ptr)) {
    const Fault f = flush_device(r->device);
    if (f.failed()) return raise(f);
  }
  return device_release(ptr);
}
