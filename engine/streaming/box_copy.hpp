// Copies between boxes of CPU float32 tensors [N, C, (D,) H, W]: the data movement of tiled
// execution (cutting a tile out, writing it back, adding it in, mirroring and zero-padding at
// the borders). Images are handled as volumes of depth 1.
#pragma once

#include "engine/streaming/geometry.hpp"

namespace revgan::streaming {

// (D, H, W) of a [N, C, H, W] (D = 1) or [N, C, D, H, W] tensor; checks CPU float32.
Axes spatial_extent(const Tensor& t);
// An uninitialised [n, c, size] tensor of rank 4 (dims 2) or 5 (dims 3).
Tensor box_tensor(int64_t n, int64_t c, const Axes& size, int dims);

// The box of `t` as a new tensor.
Tensor crop_box(const Tensor& t, const Box& box);
// dst[box] = src, or dst[box] += sign * src with `accumulate` (src has the box's size).
void paste_box(Tensor dst, const Box& box, const Tensor& src, bool accumulate = false, float sign = 1.0f);

// `src` holds the box `src_box` of a tensor of extent `n`; returns the box `out` of that tensor
// reflection-padded by `before` on each axis (repeated reflection, edges not doubled), reading
// only mirror images of positions inside `src_box`.
Tensor mirror_box(const Tensor& src, const Box& src_box, const Box& out, const Axes& before, const Axes& n);
// `src` holds the box `src_box`; returns the box `out` (containing it) with zeros elsewhere.
Tensor zero_extend(const Tensor& src, const Box& src_box, const Box& out);

}  // namespace revgan::streaming
