// CUDA channel block copies behind concat and split: `outer` runs of `run` contiguous elements
// between tensors with different channel counts, one flat grid-stride loop over all of them.
#include "kernels/cuda/channels.cuh"
#include "kernels/cuda/loops.cuh"

namespace revgan::kernels::cuda {

namespace {

template <class T>
__global__ void copy_runs_kernel(int64_t outer, int64_t run, const T* src, int64_t src_stride, T* dst,
                                 int64_t dst_stride, bool accumulate) {
  const int64_t total = outer * run;
  for (int64_t i = detail::first_index(); i < total; i += detail::grid_stride()) {
    const int64_t n = i / run;
    const int64_t k = i - n * run;
    detail::store(dst, n * dst_stride + k, src[n * src_stride + k], accumulate);
  }
}

template <class T>
cudaError_t copy_runs(int64_t outer, int64_t run, const T* src, int64_t src_stride, T* dst, int64_t dst_stride,
                      bool accumulate, cudaStream_t stream) {
  const int64_t total = outer * run;
  if (total <= 0) return cudaSuccess;
  REVGAN_LAUNCH(detail::blocks_for(total), detail::k_threads, 0, stream, copy_runs_kernel<T>)
  (outer, run, src, src_stride, dst, dst_stride, accumulate);
  return cudaGetLastError();
}

}  // namespace

template <class T>
cudaError_t copy_channels_into(const ChannelBlock& g, int64_t c_src, const T* src, int64_t c_dst, int64_t c_offset,
                               T* dst, bool accumulate, cudaStream_t stream) {
  return copy_runs(g.outer, c_src * g.inner, src, c_src * g.inner, dst + c_offset * g.inner, c_dst * g.inner,
                   accumulate, stream);
}

template <class T>
cudaError_t copy_channels_from(const ChannelBlock& g, int64_t c_src, int64_t c_offset, const T* src, int64_t c_out,
                               T* dst, bool accumulate, cudaStream_t stream) {
  return copy_runs(g.outer, c_out * g.inner, src + c_offset * g.inner, c_src * g.inner, dst, c_out * g.inner,
                   accumulate, stream);
}

template cudaError_t copy_channels_into<float>(const ChannelBlock&, int64_t, const float*, int64_t, int64_t, float*,
                                               bool, cudaStream_t);
template cudaError_t copy_channels_into<double>(const ChannelBlock&, int64_t, const double*, int64_t, int64_t, double*,
                                                bool, cudaStream_t);
template cudaError_t copy_channels_from<float>(const ChannelBlock&, int64_t, int64_t, const float*, int64_t, float*,
                                               bool, cudaStream_t);
template cudaError_t copy_channels_from<double>(const ChannelBlock&, int64_t, int64_t, const double*, int64_t, double*,
                                                bool, cudaStream_t);

}  // namespace revgan::kernels::cuda
