// CPU channel concat and slice on contiguous N,C,... tensors (copies of channel blocks).
#pragma once

#include "kernels/common/geometry.hpp"

namespace revgan::kernels::cpu {

// Copies channels [0, c_src) of src (c_src channels) into channels [c_offset, c_offset + c_src)
// of dst (c_dst channels). Used by concat (forward) and by split's backward.
template <class T>
void copy_channels_into(const ChannelBlock& g, int64_t c_src, const T* src, int64_t c_dst, int64_t c_offset,
                        T* dst, bool accumulate);

// Copies channels [c_offset, c_offset + c_out) of src (c_src channels) into dst (c_out channels).
// Used by split/slice (forward) and by concat's backward.
template <class T>
void copy_channels_from(const ChannelBlock& g, int64_t c_src, int64_t c_offset, const T* src, int64_t c_out,
                        T* dst, bool accumulate);

}  // namespace revgan::kernels::cpu
