// CUDA batch norm: a block owns whole channels, so per-channel sums need no cross-block step;
// each thread sums a fixed strided share of the channel's batch * spatial elements in double and
// block_sum combines the shares in thread order. Element loops are flat, with 64-bit indices.
#include "kernels/cuda/batch_norm.cuh"
#include "kernels/cuda/loops.cuh"

namespace revgan::kernels::cuda {

namespace {

// Index of the m-th element (m < batch * spatial) of channel c.
__device__ inline int64_t channel_index(const BatchNormGeometry& g, int64_t c, int64_t m) {
  const int64_t n = m / g.spatial;
  return (n * g.channels + c) * g.spatial + (m - n * g.spatial);
}

template <class T>
__global__ void batch_norm_stats_kernel(BatchNormGeometry g, double eps, double momentum, const T* x, T* mean,
                                        T* invstd, T* running_mean, T* running_var) {
  const int64_t count = g.batch * g.spatial;
  const double inv_n = 1.0 / static_cast<double>(count);
  const int64_t step = blockDim.x;
  // The bound depends on blockIdx only: every thread of a block reaches each block_sum.
  for (int64_t c = blockIdx.x; c < g.channels; c += gridDim.x) {
    double s = 0.0;
    for (int64_t m = threadIdx.x; m < count; m += step) s += static_cast<double>(x[channel_index(g, c, m)]);
    const double mu = detail::block_sum(s) * inv_n;
    double sq = 0.0;
    for (int64_t m = threadIdx.x; m < count; m += step) {
      const double d = static_cast<double>(x[channel_index(g, c, m)]) - mu;
      sq += d * d;
    }
    const double total = detail::block_sum(sq);
    if (threadIdx.x == 0) {
      mean[c] = static_cast<T>(mu);
      invstd[c] = static_cast<T>(1.0 / sqrt(total * inv_n + eps));
      if (running_mean != nullptr) {
        const double unbiased = count > 1 ? total / static_cast<double>(count - 1) : total;
        running_mean[c] = static_cast<T>((1.0 - momentum) * static_cast<double>(running_mean[c]) + momentum * mu);
        running_var[c] = static_cast<T>((1.0 - momentum) * static_cast<double>(running_var[c]) + momentum * unbiased);
      }
    }
  }
}

template <class T>
__global__ void batch_norm_backward_kernel(BatchNormGeometry g, bool batch_stats, const T* x, const T* mean,
                                           const T* invstd, const T* weight, const T* dy, T* dx, bool accumulate_dx,
                                           T* dweight, T* dbias, bool accumulate_params) {
  const int64_t count = g.batch * g.spatial;
  const double inv_n = 1.0 / static_cast<double>(count);
  const int64_t step = blockDim.x;
  for (int64_t c = blockIdx.x; c < g.channels; c += gridDim.x) {
    const double mu = static_cast<double>(mean[c]);
    const double r = static_cast<double>(invstd[c]);
    double s_dy = 0.0, s_dyxhat = 0.0;
    for (int64_t m = threadIdx.x; m < count; m += step) {
      const int64_t i = channel_index(g, c, m);
      const double d = static_cast<double>(dy[i]);
      s_dy += d;
      s_dyxhat += d * ((static_cast<double>(x[i]) - mu) * r);
    }
    s_dy = detail::block_sum(s_dy);
    s_dyxhat = detail::block_sum(s_dyxhat);
    if (threadIdx.x == 0) {
      if (dweight != nullptr)
        dweight[c] = static_cast<T>((accumulate_params ? static_cast<double>(dweight[c]) : 0.0) + s_dyxhat);
      if (dbias != nullptr) dbias[c] = static_cast<T>((accumulate_params ? static_cast<double>(dbias[c]) : 0.0) + s_dy);
    }
    if (dx == nullptr) continue;
    const double wr = r * (weight != nullptr ? static_cast<double>(weight[c]) : 1.0);
    const double m_dy = batch_stats ? s_dy * inv_n : 0.0;
    const double m_dyxhat = batch_stats ? s_dyxhat * inv_n : 0.0;
    for (int64_t m = threadIdx.x; m < count; m += step) {
      const int64_t i = channel_index(g, c, m);
      const double xhat = (static_cast<double>(x[i]) - mu) * r;
      const double v = wr * (static_cast<double>(dy[i]) - m_dy - xhat * m_dyxhat);
      dx[i] = accumulate_dx ? static_cast<T>(dx[i] + v) : static_cast<T>(v);
    }
  }
}

template <class T>
struct InvstdOp {
  const T* var;
  double eps;
  __device__ T operator()(int64_t c) const { return static_cast<T>(1.0 / sqrt(static_cast<double>(var[c]) + eps)); }
};

template <class T>
struct ApplyOp {
  int64_t spatial, channels;
  const T *x, *mean, *invstd, *weight, *bias;
  __device__ T operator()(int64_t i) const {
    const int64_t c = (i / spatial) % channels;
    const double scale = static_cast<double>(invstd[c]) * (weight != nullptr ? static_cast<double>(weight[c]) : 1.0);
    const double shift = (bias != nullptr ? static_cast<double>(bias[c]) : 0.0) - static_cast<double>(mean[c]) * scale;
    return static_cast<T>(static_cast<double>(x[i]) * scale + shift);
  }
};

int threads_for(int64_t count) {
  if (count >= 8192) return 512;
  if (count >= 256) return 256;
  if (count >= 64) return 64;
  return 32;
}

unsigned blocks_for_channels(int64_t channels) {
  return static_cast<unsigned>(channels < detail::k_max_blocks ? (channels > 0 ? channels : 1) : detail::k_max_blocks);
}

}  // namespace

template <class T>
cudaError_t batch_norm_stats(const BatchNormGeometry& g, double eps, double momentum, const T* x, T* mean, T* invstd,
                             T* running_mean, T* running_var, cudaStream_t stream) {
  if (g.channels <= 0 || g.batch * g.spatial <= 0) return cudaSuccess;
  REVGAN_LAUNCH(blocks_for_channels(g.channels), threads_for(g.batch * g.spatial), 0, stream,
                batch_norm_stats_kernel<T>)
  (g, eps, momentum, x, mean, invstd, running_mean, running_var);
  return cudaGetLastError();
}

template <class T>
cudaError_t batch_norm_invstd(int64_t channels, double eps, const T* var, T* invstd, cudaStream_t stream) {
  return detail::launch_store(channels, invstd, false, InvstdOp<T>{var, eps}, stream);
}

template <class T>
cudaError_t batch_norm_apply(const BatchNormGeometry& g, const T* x, const T* mean, const T* invstd, const T* weight,
                             const T* bias, T* y, cudaStream_t stream) {
  return detail::launch_store(g.batch * g.channels * g.spatial, y, false,
                              ApplyOp<T>{g.spatial, g.channels, x, mean, invstd, weight, bias}, stream);
}

template <class T>
cudaError_t batch_norm_backward(const BatchNormGeometry& g, bool batch_stats, const T* x, const T* mean,
                                const T* invstd, const T* weight, const T* dy, T* dx, bool accumulate_dx, T* dweight,
                                T* dbias, bool accumulate_params, cudaStream_t stream) {
  if (g.channels <= 0 || g.batch * g.spatial <= 0) return cudaSuccess;
  REVGAN_LAUNCH(blocks_for_channels(g.channels), threads_for(g.batch * g.spatial), 0, stream,
                batch_norm_backward_kernel<T>)
  (g, batch_stats, x, mean, invstd, weight, dy, dx, accumulate_dx, dweight, dbias, accumulate_params);
  return cudaGetLastError();
}

#define REVGAN_BATCH_NORM_INSTANTIATE(T)                                                                               \
  template cudaError_t batch_norm_stats<T>(const BatchNormGeometry&, double, double, const T*, T*, T*, T*, T*,         \
                                           cudaStream_t);                                                              \
  template cudaError_t batch_norm_invstd<T>(int64_t, double, const T*, T*, cudaStream_t);                              \
  template cudaError_t batch_norm_apply<T>(const BatchNormGeometry&, const T*, const T*, const T*, const T*, const T*, \
                                           T*, cudaStream_t);                                                          \
  template cudaError_t batch_norm_backward<T>(const BatchNormGeometry&, bool, const T*, const T*, const T*, const T*,  \
                                              const T*, T*, bool, T*, T*, bool, cudaStream_t);
REVGAN_BATCH_NORM_INSTANTIATE(float)
REVGAN_BATCH_NORM_INSTANTIATE(double)
#undef REVGAN_BATCH_NORM_INSTANTIATE

}  // namespace revgan::kernels::cuda
