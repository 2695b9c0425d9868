// CUDA channel concat and slice copies on contiguous N,C,... tensors (twin of
// kernels/cpu/channels.hpp).
#pragma once

#include <cuda_runtime_api.h>

#include "kernels/common/geometry.hpp"

namespace revgan::kernels::cuda {

// Channels [0, c_src) of src into channels [c_offset, c_offset + c_src) of dst (c_dst channels).
template <class T>
cudaError_t copy_channels_into(const ChannelBlock& g, int64_t c_src, const T* src, int64_t c_dst, int64_t c_offset,
                               T* dst, bool accumulate, cudaStream_t stream);

// Channels [c_offset, c_offset + c_out) of src (c_src channels) into dst (c_out channels).
template <class T>
cudaError_t copy_channels_from(const ChannelBlock& g, int64_t c_src, int64_t c_offset, const T* src, int64_t c_out,
                               T* dst, bool accumulate, cudaStream_t stream);

}  // namespace revgan::kernels::cuda
