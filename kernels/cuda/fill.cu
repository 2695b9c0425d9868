// CUDA fill: a flat grid-stride loop with 64-bit indices.
#include "kernels/cuda/fill.cuh"

namespace revgan::kernels::cuda {

namespace {
template <class T>
__global__ void fill_kernel(int64_t n, T value, T* y) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)
    y[i] = value;
}
}  // namespace

template <class T>
cudaError_t fill(int64_t n, T value, T* y, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  constexpr int threads = 256;
  int64_t blocks = (n + threads - 1) / threads;
  if (blocks > 65535 * 16) blocks = 65535 * 16;
  fill_kernel<T><<<static_cast<unsigned>(blocks), threads, 0, stream>>>(n, value, y);
  return cudaGetLastError();
}

template cudaError_t fill<float>(int64_t, float, float*, cudaStream_t);
template cudaError_t fill<double>(int64_t, double, double*, cudaStream_t);

}  // namespace revgan::kernels::cuda
