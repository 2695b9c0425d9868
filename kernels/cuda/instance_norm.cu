// CUDA instance norm: each block owns whole instances, so the statistics need no cross-block
// combination and no atomics; within a block, each thread sums a fixed strided share in double
// and block_sum combines the shares in thread order.
#include "kernels/cuda/instance_norm.cuh"
#include "kernels/cuda/loops.cuh"

namespace revgan::kernels::cuda {

namespace {

template <class T>
__global__ void instance_norm_forward_kernel(int64_t instances, int64_t n, double eps, const T* x, T* y, T* mean,
                                             T* invstd) {
  const double inv_n = 1.0 / static_cast<double>(n);
  const int64_t step = blockDim.x;
  // The bound depends on blockIdx only, so every thread of a block takes the same number of
  // trips and reaches each block_sum together.
  for (int64_t inst = blockIdx.x; inst < instances; inst += gridDim.x) {
    const T* xi = x + inst * n;
    T* yi = y + inst * n;
    double s = 0.0;
    for (int64_t k = threadIdx.x; k < n; k += step) s += static_cast<double>(xi[k]);
    const double mu = detail::block_sum(s) * inv_n;
    double sq = 0.0;
    for (int64_t k = threadIdx.x; k < n; k += step) {
      const double c = static_cast<double>(xi[k]) - mu;
      sq += c * c;
    }
    const double rstd = 1.0 / sqrt(detail::block_sum(sq) * inv_n + eps);
    for (int64_t k = threadIdx.x; k < n; k += step) yi[k] = static_cast<T>((static_cast<double>(xi[k]) - mu) * rstd);
    if (threadIdx.x == 0) {
      invstd[inst] = static_cast<T>(rstd);
      if (mean != nullptr) mean[inst] = static_cast<T>(mu);
    }
  }
}

template <class T>
__global__ void instance_norm_backward_kernel(int64_t instances, int64_t n, const T* y, const T* invstd, const T* dy,
                                              T* dx, bool accumulate) {
  const double inv_n = 1.0 / static_cast<double>(n);
  const int64_t step = blockDim.x;
  for (int64_t inst = blockIdx.x; inst < instances; inst += gridDim.x) {
    const T* yi = y + inst * n;
    const T* dyi = dy + inst * n;
    T* dxi = dx + inst * n;
    double s_dy = 0.0, s_dyy = 0.0;
    for (int64_t k = threadIdx.x; k < n; k += step) {
      const double d = static_cast<double>(dyi[k]);
      s_dy += d;
      s_dyy += d * static_cast<double>(yi[k]);
    }
    const double m_dy = detail::block_sum(s_dy) * inv_n;
    const double m_dyy = detail::block_sum(s_dyy) * inv_n;
    const double r = static_cast<double>(invstd[inst]);
    for (int64_t k = threadIdx.x; k < n; k += step) {
      const double v = r * (static_cast<double>(dyi[k]) - m_dy - static_cast<double>(yi[k]) * m_dyy);
      dxi[k] = accumulate ? static_cast<T>(dxi[k] + v) : static_cast<T>(v);
    }
  }
}

// Small instances waste fewer idle threads with a smaller block; large ones get more threads.
int threads_for(int64_t spatial) {
  if (spatial >= 8192) return 512;
  if (spatial >= 256) return 256;
  if (spatial >= 64) return 64;
  return 32;
}

unsigned blocks_for_instances(int64_t instances) {
  return static_cast<unsigned>(instances < detail::k_max_blocks ? (instances > 0 ? instances : 1)
                                                                : detail::k_max_blocks);
}

}  // namespace

template <class T>
cudaError_t instance_norm_forward(const NormGeometry& g, double eps, const T* x, T* y, T* mean, T* invstd,
                                  cudaStream_t stream) {
  if (g.instances <= 0 || g.spatial <= 0) return cudaSuccess;
  REVGAN_LAUNCH(blocks_for_instances(g.instances), threads_for(g.spatial), 0, stream, instance_norm_forward_kernel<T>)
  (g.instances, g.spatial, eps, x, y, mean, invstd);
  return cudaGetLastError();
}

template <class T>
cudaError_t instance_norm_backward(const NormGeometry& g, const T* y, const T* invstd, const T* dy, T* dx,
                                   bool accumulate, cudaStream_t stream) {
  if (g.instances <= 0 || g.spatial <= 0) return cudaSuccess;
  REVGAN_LAUNCH(blocks_for_instances(g.instances), threads_for(g.spatial), 0, stream, instance_norm_backward_kernel<T>)
  (g.instances, g.spatial, y, invstd, dy, dx, accumulate);
  return cudaGetLastError();
}

template cudaError_t instance_norm_forward<float>(const NormGeometry&, double, const float*, float*, float*, float*,
                                                  cudaStream_t);
template cudaError_t instance_norm_forward<double>(const NormGeometry&, double, const double*, double*, double*,
                                                   double*, cudaStream_t);
template cudaError_t instance_norm_backward<float>(const NormGeometry&, const float*, const float*, const float*,
                                                   float*, bool, cudaStream_t);
template cudaError_t instance_norm_backward<double>(const NormGeometry&, const double*, const double*, const double*,
                                                    double*, bool, cudaStream_t);

}  // namespace revgan::kernels::cuda
