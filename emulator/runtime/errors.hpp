// The runtime's error state: the calling thread's last error (cudaGetLastError) and, for
// errors the emulator raises itself, a detailed message that cudaGetErrorString returns.
#pragma once

#include <string>

#include "cuda_runtime_api.h"

namespace revgan::emu {

// What went wrong while queued work ran (empty detail: nothing).
struct Fault {
  cudaError_t code = cudaSuccess;
  std::string detail;
  bool failed() const { return code != cudaSuccess; }
};

// Records `code` (with `detail`) as the calling thread's last error and returns it.
cudaError_t raise(cudaError_t code, std::string detail);
cudaError_t raise(const Fault& fault);

}  // namespace revgan::emu
