// CUDA im2col (one thread per column entry), col2im as a gather (one thread per image element,
// taps in increasing order as in the CPU's scatter, summed in T like it), and the bias helpers.
#include "kernels/cuda/im2col.cuh"
#include "kernels/cuda/loops.cuh"

namespace revgan::kernels::cuda {

namespace {

// Plain-integer copy of ColShape for kernel arguments (std::array is host-only).
struct ColArgs {
  int64_t channels;
  int64_t image[3], cols[3], kernel[3], stride[3], padding[3];
};

ColArgs make_args(const ColShape& s) {
  ColArgs a{};
  a.channels = s.channels;
  for (int i = 0; i < 3; ++i) {
    a.image[i] = s.image[i];
    a.cols[i] = s.cols[i];
    a.kernel[i] = s.kernel[i];
    a.stride[i] = s.stride[i];
    a.padding[i] = s.padding[i];
  }
  return a;
}

template <class T>
__global__ void im2col_kernel(ColArgs a, const T* image, T* col) {
  const int64_t kvol = a.kernel[0] * a.kernel[1] * a.kernel[2];
  const int64_t ivol = a.image[0] * a.image[1] * a.image[2];
  const int64_t ovol = a.cols[0] * a.cols[1] * a.cols[2];
  const int64_t total = a.channels * kvol * ovol;
  for (int64_t idx = detail::first_index(); idx < total; idx += detail::grid_stride()) {
    const int64_t o = idx % ovol;
    const int64_t r = idx / ovol;
    const int64_t c = r / kvol;
    const int64_t tap = r % kvol;
    const int64_t kw = tap % a.kernel[2];
    const int64_t kh = (tap / a.kernel[2]) % a.kernel[1];
    const int64_t kd = tap / (a.kernel[2] * a.kernel[1]);
    const int64_t ow = o % a.cols[2];
    const int64_t oh = (o / a.cols[2]) % a.cols[1];
    const int64_t od = o / (a.cols[2] * a.cols[1]);
    const int64_t id = od * a.stride[0] - a.padding[0] + kd;
    const int64_t ih = oh * a.stride[1] - a.padding[1] + kh;
    const int64_t iw = ow * a.stride[2] - a.padding[2] + kw;
    const bool inside = id >= 0 && id < a.image[0] && ih >= 0 && ih < a.image[1] && iw >= 0 && iw < a.image[2];
    col[idx] = inside ? image[c * ivol + (id * a.image[1] + ih) * a.image[2] + iw] : T(0);
  }
}

// Column position along one axis that tap k reads image coordinate i from, or -1 if none.
__device__ inline int64_t col_pos(int64_t i, int64_t k, int64_t stride, int64_t padding, int64_t cols) {
  const int64_t n = i + padding - k;
  if (n < 0 || n % stride != 0) return -1;
  const int64_t o = n / stride;
  return o < cols ? o : -1;
}

template <class T>
__global__ void col2im_kernel(ColArgs a, const T* col, const T* bias, T* image, bool accumulate) {
  const int64_t kvol = a.kernel[0] * a.kernel[1] * a.kernel[2];
  const int64_t ivol = a.image[0] * a.image[1] * a.image[2];
  const int64_t ovol = a.cols[0] * a.cols[1] * a.cols[2];
  const int64_t total = a.channels * ivol;
  for (int64_t idx = detail::first_index(); idx < total; idx += detail::grid_stride()) {
    const int64_t iw = idx % a.image[2];
    const int64_t ih = (idx / a.image[2]) % a.image[1];
    const int64_t id = (idx / (a.image[2] * a.image[1])) % a.image[0];
    const int64_t c = idx / ivol;
    T acc = accumulate ? image[idx] : (bias != nullptr ? bias[c] : T(0));
    const T* rows = col + c * kvol * ovol;
    for (int64_t kd = 0; kd < a.kernel[0]; ++kd) {
      const int64_t od = col_pos(id, kd, a.stride[0], a.padding[0], a.cols[0]);
      if (od < 0) continue;
      for (int64_t kh = 0; kh < a.kernel[1]; ++kh) {
        const int64_t oh = col_pos(ih, kh, a.stride[1], a.padding[1], a.cols[1]);
        if (oh < 0) continue;
        for (int64_t kw = 0; kw < a.kernel[2]; ++kw) {
          const int64_t ow = col_pos(iw, kw, a.stride[2], a.padding[2], a.cols[2]);
          if (ow < 0) continue;
          const int64_t tap = (kd * a.kernel[1] + kh) * a.kernel[2] + kw;
          acc += rows[tap * ovol + (od * a.cols[1] + oh) * a.cols[2] + ow];
        }
      }
    }
    image[idx] = acc;
  }
}

template <class T>
__global__ void fill_channel_bias_kernel(const T* bias, int64_t channels, int64_t spatial, int64_t total, T* out) {
  for (int64_t i = detail::first_index(); i < total; i += detail::grid_stride())
    out[i] = bias[(i / spatial) % channels];
}

template <class T>
__global__ void channel_sum_kernel(const T* x, int64_t batch, int64_t channels, int64_t spatial, T* out,
                                   bool accumulate) {
  const int64_t per_channel = batch * spatial;
  // The bound depends on blockIdx only, so all threads of a block reach block_sum together.
  for (int64_t c = blockIdx.x; c < channels; c += gridDim.x) {
    double s = 0.0;
    for (int64_t e = threadIdx.x; e < per_channel; e += blockDim.x) {
      const int64_t n = e / spatial;
      s += static_cast<double>(x[(n * channels + c) * spatial + (e - n * spatial)]);
    }
    s = detail::block_sum(s);
    if (threadIdx.x == 0) out[c] = accumulate ? static_cast<T>(static_cast<double>(out[c]) + s) : static_cast<T>(s);
  }
}

}  // namespace

template <class T>
cudaError_t im2col(const ColShape& s, const T* image, T* col, cudaStream_t stream) {
  const int64_t total = col_rows(s) * volume(s.cols);
  if (total <= 0) return cudaSuccess;
  REVGAN_LAUNCH(detail::blocks_for(total), detail::k_threads, 0, stream, im2col_kernel<T>)(make_args(s), image, col);
  return cudaGetLastError();
}

template <class T>
cudaError_t col2im(const ColShape& s, const T* col, const T* bias, T* image, bool accumulate, cudaStream_t stream) {
  const int64_t total = s.channels * volume(s.image);
  if (total <= 0) return cudaSuccess;
  REVGAN_LAUNCH(detail::blocks_for(total), detail::k_threads, 0, stream, col2im_kernel<T>)
  (make_args(s), col, bias, image, accumulate);
  return cudaGetLastError();
}

template <class T>
cudaError_t fill_channel_bias(const T* bias, int64_t batch, int64_t channels, int64_t spatial, T* out,
                              cudaStream_t stream) {
  const int64_t total = batch * channels * spatial;
  if (total <= 0) return cudaSuccess;
  REVGAN_LAUNCH(detail::blocks_for(total), detail::k_threads, 0, stream, fill_channel_bias_kernel<T>)
  (bias, channels, spatial, total, out);
  return cudaGetLastError();
}

template <class T>
cudaError_t channel_sum(const T* x, int64_t batch, int64_t channels, int64_t spatial, T* out, bool accumulate,
                        cudaStream_t stream) {
  if (channels <= 0) return cudaSuccess;
  const int64_t blocks = channels < detail::k_max_blocks ? channels : detail::k_max_blocks;
  REVGAN_LAUNCH(static_cast<unsigned>(blocks), detail::k_threads, 0, stream, channel_sum_kernel<T>)
  (x, batch, channels, spatial, out, accumulate);
  return cudaGetLastError();
}

#define REVGAN_INSTANTIATE(T)                                                                       \
  template cudaError_t im2col<T>(const ColShape&, const T*, T*, cudaStream_t);                      \
  template cudaError_t col2im<T>(const ColShape&, const T*, const T*, T*, bool, cudaStream_t);      \
  template cudaError_t fill_channel_bias<T>(const T*, int64_t, int64_t, int64_t, T*, cudaStream_t); \
  template cudaError_t channel_sum<T>(const T*, int64_t, int64_t, int64_t, T*, bool, cudaStream_t);
REVGAN_INSTANTIATE(float)
REVGAN_INSTANTIATE(double)
#undef REVGAN_INSTANTIATE

}  // namespace revgan::kernels::cuda
