// The dropout mask both backends compute: a counter-based hash of (seed, element index), so the
// CPU and CUDA kernels agree bit for bit, the backward recomputes the mask instead of storing
// it, and the result does not depend on threads or launch sizes.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define REVGAN_HOST_DEVICE __host__ __device__
#else
#define REVGAN_HOST_DEVICE
#endif

namespace revgan::kernels {

struct DropoutMask {
  uint64_t seed = 0;
  // An element is kept when the top 53 bits of its hash are >= threshold (= p * 2^53).
  uint64_t threshold = 0;
  double scale = 1.0;  // 1 / (1 - p) for kept elements
};

// splitmix64's finaliser over seed and index: consecutive indices give independent bits.
REVGAN_HOST_DEVICE inline uint64_t dropout_hash(uint64_t seed, int64_t i) {
  uint64_t z = seed + (static_cast<uint64_t>(i) + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

REVGAN_HOST_DEVICE inline bool dropout_keeps(const DropoutMask& m, int64_t i) {
  return (dropout_hash(m.seed, i) >> 11) >= m.threshold;
}

}  // namespace revgan::kernels
