// Private helpers of the CUDA kernels (twin of kernels/cpu/loops.hpp), included by .cu files
// only: the launch macro, launch sizes for flat grid-stride loops with 64-bit indices, the
// gradient store-or-accumulate kernel, typed device math, and a deterministic block sum.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

// REVGAN_LAUNCH(grid, block, shared_bytes, stream, kernel)(args...) is every kernel launch:
// kernel<<<grid, block, shared_bytes, stream>>>(args...) under nvcc, and the host emulator's
// launch under REVGAN_CUDA=EMULATE (whose cuda_runtime.h defines REVGAN_CUDA_EMULATED). The
// kernel comes last so that template arguments with commas need no parentheses.
#ifdef REVGAN_CUDA_EMULATED
#define REVGAN_LAUNCH(grid, block, shared, stream, ...) REVGAN_EMU_LAUNCH(grid, block, shared, stream, __VA_ARGS__)
#else
#define REVGAN_LAUNCH(grid, block, shared, stream, ...) __VA_ARGS__<<<grid, block, shared, stream>>>
#endif

namespace revgan::kernels::cuda::detail {

inline constexpr int k_threads = 256;
// Plenty of blocks to fill any GPU; grid-stride loops cover whatever lies beyond.
inline constexpr int64_t k_max_blocks = int64_t{65535} * 16;

// Blocks for a flat loop over n elements (at least one, so a kernel that must write a result
// for n == 0, like a sum, still runs).
inline unsigned blocks_for(int64_t n, int threads = k_threads) {
  int64_t blocks = (n + threads - 1) / threads;
  if (blocks < 1) blocks = 1;
  if (blocks > k_max_blocks) blocks = k_max_blocks;
  return static_cast<unsigned>(blocks);
}

__device__ inline int64_t first_index() {
  return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ inline int64_t grid_stride() {
  return static_cast<int64_t>(gridDim.x) * blockDim.x;
}

// y[i] = v, or y[i] += v when accumulating into an existing gradient.
template <class T>
__device__ inline void store(T* y, int64_t i, T v, bool accumulate) {
  y[i] = accumulate ? static_cast<T>(y[i] + v) : v;
}

// y[i] = f(i) (or += f(i)) for i < n: the one kernel behind every element-wise op.
template <class T, class F>
__global__ void store_kernel(int64_t n, T* y, bool accumulate, F f) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) store(y, i, f(i), accumulate);
}

template <class T, class F>
cudaError_t launch_store(int64_t n, T* y, bool accumulate, F f, cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  REVGAN_LAUNCH(blocks_for(n), k_threads, 0, stream, store_kernel<T, F>)(n, y, accumulate, f);
  return cudaGetLastError();
}

// Overloads that keep float math in float (no silent promotion to double) and vice versa.
__device__ inline float dev_exp(float x) {
  return expf(x);
}
__device__ inline double dev_exp(double x) {
  return exp(x);
}
__device__ inline float dev_tanh(float x) {
  return tanhf(x);
}
__device__ inline double dev_tanh(double x) {
  return tanh(x);
}
__device__ inline float dev_fabs(float x) {
  return fabsf(x);
}
__device__ inline double dev_fabs(double x) {
  return fabs(x);
}
__device__ inline float dev_fmax(float a, float b) {
  return fmaxf(a, b);
}
__device__ inline double dev_fmax(double a, double b) {
  return fmax(a, b);
}
__device__ inline float dev_sqrt(float x) {
  return sqrtf(x);
}
__device__ inline double dev_sqrt(double x) {
  return sqrt(x);
}

// Sum of v over the whole block, returned to every thread. The combination order depends only
// on thread indices (warp shuffles, then the warp sums in order), so results are reproducible
// run to run. Every thread of the block must call it; blockDim.x must be a multiple of 32.
__device__ inline double block_sum(double v) {
  __shared__ double warp_sums[32];
  __shared__ double total;
  const int lane = static_cast<int>(threadIdx.x) & 31;
  const int warp = static_cast<int>(threadIdx.x) >> 5;
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(0xffffffffu, v, offset);
  __syncthreads();  // a previous call may still be reading `total`
  if (lane == 0) warp_sums[warp] = v;
  __syncthreads();
  if (warp == 0) {
    const int warps = static_cast<int>(blockDim.x) >> 5;
    double s = lane < warps ? warp_sums[lane] : 0.0;
    for (int offset = 16; offset > 0; offset >>= 1) s += __shfl_down_sync(0xffffffffu, s, offset);
    if (lane == 0) total = s;
  }
  __syncthreads();
  return total;
}

}  // namespace revgan::kernels::cuda::detail
