// CUDA tests call skip_without_cuda_device() first: without a usable device (no GPU, or a
// driver the runtime rejects) the test process exits with ctest's skip code 77, so such tests
// are reported as skipped, never as passed.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "engine/cuda/cuda_runtime_api.hpp"

namespace revgan::test {

inline void skip_without_cuda_device() {
  if (cuda_device_count() > 0) return;
  std::fprintf(stderr, "SKIPPED: no usable CUDA device (%s)\n", cuda_unavailable_reason().c_str());
  std::fflush(stderr);
  std::_Exit(77);
}

}  // namespace revgan::test
