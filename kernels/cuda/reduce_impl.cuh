// Private to reduce.cu and loss.cu: the two-stage deterministic sum of f(i) over i < n.
#pragma once

#include "kernels/cuda/loops.cuh"

namespace revgan::kernels::cuda::detail {

// Partials per reduction: the stage-1 grid never exceeds this, so the workspace is fixed.
inline constexpr int k_reduce_blocks = 1024;
inline constexpr int k_reduce_threads = 256;

// Stage 1: block b writes the double sum of f(i) over its grid-stride share of [0, n).
template <class F>
__global__ void partial_sums_kernel(int64_t n, F f, double* partials) {
  double s = 0.0;
  for (int64_t i = first_index(); i < n; i += grid_stride()) s += f(i);
  s = block_sum(s);
  if (threadIdx.x == 0) partials[blockIdx.x] = s;
}

// Stage 2: one block adds the partials in a fixed order and writes the scaled result.
template <class T>
__global__ void finish_sum_kernel(const double* partials, int count, double divisor, T* out) {
  double s = 0.0;
  for (int i = static_cast<int>(threadIdx.x); i < count; i += static_cast<int>(blockDim.x)) s += partials[i];
  s = block_sum(s);
  if (threadIdx.x == 0) out[0] = static_cast<T>(s / divisor);
}

// The grid depends on n alone (never on the device), so the summation order, and with it the
// result, is the same on every run and every GPU.
template <class T, class F>
cudaError_t reduce_sum(int64_t n, F f, double divisor, T* out, double* workspace, cudaStream_t stream) {
  int64_t blocks = (n + k_reduce_threads - 1) / k_reduce_threads;
  if (blocks < 1) blocks = 1;
  if (blocks > k_reduce_blocks) blocks = k_reduce_blocks;
  REVGAN_LAUNCH(static_cast<unsigned>(blocks), k_reduce_threads, 0, stream, partial_sums_kernel<F>)(n, f, workspace);
  cudaError_t status = cudaGetLastError();
  if (status != cudaSuccess) return status;
  REVGAN_LAUNCH(1, k_reduce_threads, 0, stream, finish_sum_kernel<T>)
  (workspace, static_cast<int>(blocks), divisor, out);
  return cudaGetLastError();
}

}  // namespace revgan::kernels::cuda::detail
