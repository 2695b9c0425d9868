// CPU channel block copies behind concat and split: each of the `outer` batch entries
// moves one contiguous run of channels between tensors with different channel counts.
#include "kernels/cpu/channels.hpp"
#include "kernels/cpu/loops.hpp"

#include <cstring>

namespace revgan::kernels::cpu {
namespace {

// Copies `outer` runs of `run` elements from src (stride src_stride) to dst (stride dst_stride).
template <class T>
void copy_runs(int64_t outer, int64_t run, const T* src, int64_t src_stride, T* dst, int64_t dst_stride,
               bool accumulate) {
  // Split each run into chunks so a batch of 1 still spreads over threads.
  constexpr int64_t chunk = 4096;
  const int64_t chunks = (run + chunk - 1) / chunk;
#pragma omp parallel for collapse(2) schedule(static) if (outer * run >= detail::k_parallel_min)
  for (int64_t n = 0; n < outer; ++n) {
    for (int64_t c = 0; c < chunks; ++c) {
      const int64_t begin = c * chunk;
      const int64_t len = run - begin < chunk ? run - begin : chunk;
      const T* s = src + n * src_stride + begin;
      T* d = dst + n * dst_stride + begin;
      if (accumulate) {
        for (int64_t k = 0; k < len; ++k) d[k] += s[k];
      } else {
        std::memcpy(d, s, static_cast<size_t>(len) * sizeof(T));
      }
    }
  }
}

}  // namespace

template <class T>
void copy_channels_into(const ChannelBlock& g, int64_t c_src, const T* src, int64_t c_dst, int64_t c_offset,
                        T* dst, bool accumulate) {
  copy_runs(g.outer, c_src * g.inner, src, c_src * g.inner, dst + c_offset * g.inner, c_dst * g.inner, accumulate);
}

template <class T>
void copy_channels_from(const ChannelBlock& g, int64_t c_src, int64_t c_offset, const T* src, int64_t c_out,
                        T* dst, bool accumulate) {
  copy_runs(g.outer, c_out * g.inner, src + c_offset * g.inner, c_src * g.inner, dst, c_out * g.inner, accumulate);
}

template void copy_channels_into<float>(const ChannelBlock&, int64_t, const float*, int64_t, int64_t, float*, bool);
template void copy_channels_into<double>(const ChannelBlock&, int64_t, const double*, int64_t, int64_t, double*,
                                         bool);
template void copy_channels_from<float>(const ChannelBlock&, int64_t, int64_t, const float*, int64_t, float*, bool);
template void copy_channels_from<double>(const ChannelBlock&, int64_t, int64_t, const double*, int64_t, double*,
                                         bool);

}  // namespace revgan::kernels::cpu
