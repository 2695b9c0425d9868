// The one compute stream per device, and the cuBLAS / cuDNN handles bound to it. Every kernel,
// library call and copy the engine issues for a device goes to that stream, in program order;
// that ordering is what lets the caching allocator reuse freed blocks without events.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

namespace revgan::cuda {

// Makes `index` the calling thread's current device (cheap when it already is). Ops call it
// through ops::dispatch before their CUDA branch runs.
void set_device(int index);
int current_device();

// Makes `index` current for its lifetime and restores the previous device afterwards.
class DeviceGuard {
 public:
  explicit DeviceGuard(int index);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
};

// The compute stream of the current device, created on first use.
cudaStream_t stream();
// Handles of the current device, created on first use and bound to stream(); cuBLAS runs in
// CUBLAS_DEFAULT_MATH (no TF32) with atomics disallowed, so its GEMMs are deterministic.
cublasHandle_t cublas();
cudnnHandle_t cudnn();

// Blocks the host until all work queued on the current device's stream has finished.
void synchronize();

}  // namespace revgan::cuda
